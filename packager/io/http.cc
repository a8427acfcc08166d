#include "io/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "base/strings.h"

namespace funcpack {
namespace {

using Clock = std::chrono::steady_clock;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t write_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Transfer {
  size_t index = 0;
  const HttpRequest* request = nullptr;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {};
  int attempt = 0;  // attempts started so far
  Clock::time_point not_before{};
  std::string redacted;
  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

bool retryable_code(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool retryable_status(long status) { return status >= 500 || status == 429; }

// Words for the failures users meet, stable enough to assert on in tests; anything else
// carries curl's own explanation.
std::string describe_failure(CURLcode code, const Transfer& t, const HttpOptions& o) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0)
        return "could not connect within " + std::to_string(o.connect_timeout_ms) + " ms";
      return "timed out after " + std::to_string(o.timeout_ms) + " ms";
    }
    case CURLE_COULDNT_CONNECT:
      return "cannot connect to the server";
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
      return "connection dropped before the whole response arrived";
    case CURLE_GOT_NOTHING:
      return "connection closed without a response";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve the host name";
    case CURLE_PEER_FAILED_VERIFICATION: {
      std::string reason = "the server's TLS certificate is not trusted";
      if (t.errbuf[0]) reason += std::string(" (") + t.errbuf + ")";
      return reason + "; give the CA bundle that signed it with --cert";
    }
    case CURLE_SSL_CACERT_BADFILE:
      return "cannot read the CA bundle " +
             (o.ca_bundle ? o.ca_bundle->string() : std::string("of the system"));
    default: {
      std::string reason = curl_easy_strerror(code);
      if (t.errbuf[0]) reason += std::string(" (") + t.errbuf + ")";
      return reason;
    }
  }
}

std::string header_value(CURL* easy, const char* name) {
  curl_header* h = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h && h->value)
    return h->value;
  return {};
}

}  // namespace

struct HttpClient::Impl {
  HttpOptions options;
  std::mutex mutex;
  CURLM* multi = nullptr;
  CURLSH* share = nullptr;
  std::mt19937 rng{std::random_device{}()};

  bool configure(Transfer& t) {
    const HttpRequest& r = *t.request;
    if (!t.easy) t.easy = curl_easy_init();
    if (!t.easy) return false;
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t.body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options.timeout_ms);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (share) curl_easy_setopt(e, CURLOPT_SHARE, share);
    if (options.ca_bundle) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_bundle->c_str());

    std::optional<UrlParts> parts = parse_url(r.url);
    bool url_has_credentials = parts && !parts->userinfo.empty();
    if (!url_has_credentials && parts) {
      auto it = options.credentials.find(parts->host);
      if (it != options.credentials.end()) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        curl_easy_setopt(e, CURLOPT_USERNAME, it->second.first.c_str());
        curl_easy_setopt(e, CURLOPT_PASSWORD, it->second.second.c_str());
      } else if (options.use_netrc) {
        curl_easy_setopt(e, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
        std::string netrc;
        if (options.netrc_file) {
          netrc = options.netrc_file->string();
        } else if (const char* env = std::getenv("NETRC"); env && *env) {
          netrc = env;
        }
        if (!netrc.empty()) curl_easy_setopt(e, CURLOPT_NETRC_FILE, netrc.c_str());
      }
    }

    if (t.headers) {
      curl_slist_free_all(t.headers);
      t.headers = nullptr;
    }
    auto add = [&](const std::string& h) { t.headers = curl_slist_append(t.headers, h.c_str()); };
    for (const std::string& h : r.headers) add(h);
    if (r.if_none_match) add("If-None-Match: " + *r.if_none_match);
    if (r.if_modified_since) add("If-Modified-Since: " + *r.if_modified_since);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    return true;
  }

  long backoff_ms(int attempt) {
    // attempt = number of attempts made so far (>= 1).
    double base = static_cast<double>(options.backoff_initial_ms);
    for (int i = 1; i < attempt; ++i) base *= 2;
    base = std::min(base, static_cast<double>(options.backoff_max_ms));
    std::uniform_real_distribution<double> jitter(0.0, 0.25);
    return static_cast<long>(base * (1.0 + jitter(rng)));
  }

  void log(const std::string& line) {
    if (options.log) options.log(line);
  }

  std::vector<Result<HttpResponse>> run(std::span<const HttpRequest> requests) {
    std::vector<std::optional<Result<HttpResponse>>> results(requests.size());
    std::vector<std::unique_ptr<Transfer>> transfers;
    std::deque<Transfer*> waiting;  // not started yet, or waiting for a retry
    for (size_t i = 0; i < requests.size(); ++i) {
      auto t = std::make_unique<Transfer>();
      t->index = i;
      t->request = &requests[i];
      t->redacted = redact_url(requests[i].url);
      waiting.push_back(t.get());
      transfers.push_back(std::move(t));
    }
    size_t remaining = requests.size();
    int active = 0;
    int max_parallel = std::max(1, options.max_parallel);

    auto finish_error = [&](Transfer& t, const std::string& reason) {
      std::string msg = "GET " + t.redacted + ": " + reason;
      results[t.index] = fail(std::move(msg));
      --remaining;
    };

    while (remaining > 0) {
      Clock::time_point now = Clock::now();
      // Start what may start: in order, skipping transfers still in their backoff delay.
      for (auto it = waiting.begin(); it != waiting.end() && active < max_parallel;) {
        Transfer* t = *it;
        if (t->not_before > now) {
          ++it;
          continue;
        }
        it = waiting.erase(it);
        t->body.clear();
        t->errbuf[0] = 0;
        if (!configure(*t)) {
          finish_error(*t, "cannot create a transfer");
          continue;
        }
        ++t->attempt;
        curl_multi_add_handle(multi, t->easy);
        ++active;
      }
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* e = msg->easy_handle;
        CURLcode code = msg->data.result;
        Transfer* t = nullptr;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
        curl_multi_remove_handle(multi, e);
        --active;
        long status = 0;
        if (code == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        std::string reason;
        bool retry = false;
        if (code != CURLE_OK) {
          reason = describe_failure(code, *t, options);
          retry = retryable_code(code);
        } else if (retryable_status(status)) {
          reason = "HTTP " + std::to_string(status);
          retry = true;
        }
        log("GET " + t->redacted + " -> " + (reason.empty() ? std::to_string(status) : reason) +
            " (attempt " + std::to_string(t->attempt) + ")");
        if (reason.empty()) {
          HttpResponse r;
          r.status = status;
          r.body = std::move(t->body);
          r.url = t->request->url;
          char* eff = nullptr;
          curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
          r.effective_url = eff ? strip_credentials(eff) : strip_credentials(r.url);
          char* ct = nullptr;
          curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
          if (ct) r.content_type = ct;
          r.etag = header_value(e, "ETag");
          r.last_modified = header_value(e, "Last-Modified");
          r.cache_control = header_value(e, "Cache-Control");
          r.attempts = t->attempt;
          results[t->index] = std::move(r);
          --remaining;
          curl_easy_cleanup(t->easy);
          t->easy = nullptr;
          continue;
        }
        if (retry && t->attempt < options.max_attempts) {
          t->not_before = Clock::now() + std::chrono::milliseconds(backoff_ms(t->attempt));
          // A fresh handle for the next attempt: no state from the failed one carries over.
          curl_easy_cleanup(t->easy);
          t->easy = nullptr;
          waiting.push_back(t);
          continue;
        }
        if (t->attempt > 1) {
          if (reason.starts_with("HTTP "))
            reason += " after " + std::to_string(t->attempt) + " attempts";
          else
            reason += " (" + std::to_string(t->attempt) + " attempts)";
        }
        finish_error(*t, reason);
        curl_easy_cleanup(t->easy);
        t->easy = nullptr;
      }
      if (remaining == 0) break;
      // Sleep until curl has something to do or the next retry is due.
      long wait_ms = 100;
      if (active == 0 && !waiting.empty()) {
        Clock::time_point next = Clock::time_point::max();
        for (Transfer* t : waiting) next = std::min(next, t->not_before);
        auto d = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
        wait_ms = std::clamp<long>(static_cast<long>(d.count()), 0, 1000);
        if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
        continue;
      }
      if (!waiting.empty()) {
        for (Transfer* t : waiting) {
          auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t->not_before -
                                                                          Clock::now());
          wait_ms = std::clamp<long>(static_cast<long>(d.count()), 0, wait_ms);
        }
      }
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }

    std::vector<Result<HttpResponse>> out;
    out.reserve(results.size());
    for (auto& r : results) out.push_back(std::move(*r));
    return out;
  }
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>()) {
  global_init();
  impl_->options = std::move(options);
  impl_->multi = curl_multi_init();
  curl_multi_setopt(impl_->multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    static_cast<long>(std::max(1, impl_->options.max_parallel)));
  impl_->share = curl_share_init();
  if (impl_->share) {
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
}

HttpClient::~HttpClient() {
  if (impl_->multi) curl_multi_cleanup(impl_->multi);
  if (impl_->share) curl_share_cleanup(impl_->share);
}

const HttpOptions& HttpClient::options() const { return impl_->options; }

Result<HttpResponse> HttpClient::get(const HttpRequest& request) {
  std::vector<Result<HttpResponse>> r = get_all(std::span<const HttpRequest>(&request, 1));
  return std::move(r.front());
}

std::vector<Result<HttpResponse>> HttpClient::get_all(std::span<const HttpRequest> requests) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->run(requests);
}

}  // namespace funcpack
