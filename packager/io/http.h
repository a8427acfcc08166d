// http.h: the HTTP client every network access of funcpack goes through (libcurl).
//
// Owns: transfers (many in parallel on one curl multi handle, HTTP/2 multiplexed where the
// server offers it), TLS (system CAs, or the bundle given by --cert), retries, timeouts and
// credentials. Callers see one Result per request; nothing here writes to the terminal.
//
// Behaviour:
// - Retries with exponential backoff (with a little jitter) on timeouts, refused/dropped
//   connections, partial bodies, HTTP 5xx and 429, up to `max_attempts` attempts in total.
//   Other statuses (2xx, 304, 404, 401, ...) are final and returned as responses: the caller
//   decides what a 404 means (for a simple index page: the project is not there).
// - A failure after the last attempt is an Error whose message names the method, the
//   redacted URL and the reason, e.g.
//     "GET http://127.0.0.1:8080/simple/foo/: HTTP 500 after 3 attempts"
//     "GET http://127.0.0.1:8080/simple/foo/: timed out after 1000 ms (3 attempts)"
//   ("after N attempts" / "(N attempts)" only when N > 1).
// - Credentials: userinfo in the URL (curl sends it as Basic auth), else a per-host entry of
//   `HttpOptions::credentials`, else ~/.netrc (or `netrc_file`, or $NETRC). Credentials are
//   never sent to another host on a redirect, and every URL in a message is `redact_url`ed.
// - Revalidation: a request may carry If-None-Match / If-Modified-Since; the response reports
//   304 and the ETag / Last-Modified it got (see cache.h).
//
// Thread safety: one HttpClient may be used from several threads; transfers of concurrent
// calls are serialised on its multi handle (each call still runs its own requests in parallel).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "io/url.h"

namespace funcpack {

struct HttpOptions {
  std::optional<std::filesystem::path> ca_bundle;  // --cert: PEM bundle instead of system CAs
  long connect_timeout_ms = 10'000;
  long timeout_ms = 120'000;        // per attempt, whole transfer
  int max_attempts = 4;             // 1 = no retries
  long backoff_initial_ms = 250;    // delay before the 2nd attempt; doubles each time
  long backoff_max_ms = 8'000;
  int max_parallel = 16;            // transfers in flight at once
  std::optional<std::filesystem::path> netrc_file;  // default: $NETRC, else ~/.netrc
  bool use_netrc = true;
  // "host[:port]" (lowercase, as in the URL) -> {username, password}; used when the URL has
  // no userinfo.
  std::map<std::string, std::pair<std::string, std::string>> credentials;
  std::string user_agent = "funcpack/0.1";
  // Called once per finished attempt with a one-line, redacted description (for -v logs).
  std::function<void(std::string_view)> log;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;           // "Name: value"
  std::optional<std::string> if_none_match;    // an ETag from a previous response
  std::optional<std::string> if_modified_since;  // a Last-Modified from a previous response
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string url;            // the URL as requested
  std::string effective_url;  // after redirects (base for relative links)
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string cache_control;  // the Cache-Control header ("" when absent)
  int attempts = 1;
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const HttpOptions& options() const;

  // Returns the final response: any status that is not retried (2xx, 304, 4xx but 429).
  // Returns an Error naming the redacted URL and the reason when the transfer fails, or still
  // gets 5xx/429, after `max_attempts` attempts.
  Result<HttpResponse> get(const HttpRequest& request);

  // The same for many requests at once, run in parallel; results in the order of `requests`.
  std::vector<Result<HttpResponse>> get_all(std::span<const HttpRequest> requests);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace funcpack
