#include "app/commands.h"

int main(int argc, char** argv) { return funcpack::run_main(argc, argv); }
