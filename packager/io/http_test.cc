// HttpClient against the real test server (tests/support/index_server.py) on 127.0.0.1:
// retries, timeouts, dropped connections, credentials and their redaction, revalidation,
// parallel transfers.
#include "io/http.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "io/simple_index.h"
#include "io/testing_index_server.h"

namespace funcpack {
namespace {

using testing::IndexServer;

HttpRequest at(std::string url, std::vector<std::string> headers = {},
               std::optional<std::string> etag = std::nullopt,
               std::optional<std::string> last_modified = std::nullopt) {
  HttpRequest r;
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.if_none_match = std::move(etag);
  r.if_modified_since = std::move(last_modified);
  return r;
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> t = TempDir::create("http-test");
    ASSERT_TRUE(t);
    tmp_.emplace(std::move(*t));
    root_ = tmp_->path() / "root";
    std::filesystem::create_directories(root_ / "simple/alpha");
    std::filesystem::create_directories(root_ / "files");
    ASSERT_TRUE(write_file_atomic(root_ / "simple/alpha/index.html", "<a href=\"x\">x</a>\n"));
    ASSERT_TRUE(write_file_atomic(root_ / "simple/alpha/index.json",
                                  R"({"meta":{"api-version":"1.1"},"files":[]})"));
    // A body big enough that a half-sent one is clearly cut short.
    big_ = std::string(200000, 'b');
    ASSERT_TRUE(write_file_atomic(root_ / "files/big.bin", big_));
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE(write_file_atomic(root_ / ("files/f" + std::to_string(i)), "content " + std::to_string(i)));
  }

  IndexServer start(std::vector<std::string> faults = {}, std::string auth = "",
                    double hang = 30) {
    IndexServer::Options o;
    o.root = root_;
    o.log = tmp_->path() / "requests.log";
    o.faults = std::move(faults);
    o.auth = std::move(auth);
    o.hang_seconds = hang;
    std::string error;
    std::optional<IndexServer> s = IndexServer::start(o, &error);
    EXPECT_TRUE(s) << error;
    if (!s) std::abort();
    return std::move(*s);
  }

  static HttpOptions fast(int attempts) {
    HttpOptions o;
    o.max_attempts = attempts;
    o.backoff_initial_ms = 10;
    o.backoff_max_ms = 40;
    o.use_netrc = false;
    return o;
  }

  std::optional<TempDir> tmp_;
  std::filesystem::path root_;
  std::string big_;
};

TEST_F(HttpTest, RetriesServerErrorsThenSucceeds) {
  IndexServer s = start({"/simple/alpha/=500:2"});
  HttpClient http(fast(4));
  Result<HttpResponse> r = http.get(at(s.url("/simple/alpha/")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(r->body, "<a href=\"x\">x</a>\n");
  EXPECT_EQ(s.request_summary(), "500 /simple/alpha/\n500 /simple/alpha/\n200 /simple/alpha/\n");
}

TEST_F(HttpTest, PersistentServerErrorNamesUrlAndAttempts) {
  IndexServer s = start({"/simple/alpha/=503"});
  HttpClient http(fast(3));
  Result<HttpResponse> r = http.get(at(s.url("/simple/alpha/")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET " + s.url("/simple/alpha/") + ": HTTP 503 after 3 attempts");
}

TEST_F(HttpTest, HangIsATimeoutErrorNamingTheUrl) {
  IndexServer s = start({"/simple/alpha/=hang"}, "", 5);
  HttpOptions o = fast(2);
  o.timeout_ms = 400;
  HttpClient http(o);
  Result<HttpResponse> r = http.get(at(s.url("/simple/alpha/")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "GET " + s.url("/simple/alpha/") + ": timed out after 400 ms (2 attempts)");
}

TEST_F(HttpTest, DroppedConnectionIsRetried) {
  IndexServer s = start({"/files/big.bin=drop:1"});
  HttpClient http(fast(3));
  Result<HttpResponse> r = http.get(at(s.url("/files/big.bin")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->body, big_);
  std::vector<nlohmann::json> log = s.requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["fault"], "drop");
  EXPECT_EQ(log[0]["bytes"], 100000);
  EXPECT_EQ(log[1]["bytes"], 200000);
}

TEST_F(HttpTest, ConnectionDroppedEveryTimeIsAClearError) {
  IndexServer s = start({"/files/big.bin=drop"});
  HttpClient http(fast(2));
  Result<HttpResponse> r = http.get(at(s.url("/files/big.bin")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET " + s.url("/files/big.bin") +
                                   ": connection dropped before the whole response arrived "
                                   "(2 attempts)");
}

TEST_F(HttpTest, ClosedWithoutResponseAndRefusedConnections) {
  IndexServer s = start({"/simple/alpha/=close"});
  HttpClient http(fast(2));
  Result<HttpResponse> r = http.get(at(s.url("/simple/alpha/")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET " + s.url("/simple/alpha/") +
                                   ": connection closed without a response (2 attempts)");
  std::string dead = s.url("/simple/alpha/");
  s.stop();
  Result<HttpResponse> refused = http.get(at(dead));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "GET " + dead + ": cannot connect to the server (2 attempts)");
}

TEST_F(HttpTest, NotFoundIsAResponseNotAnError) {
  IndexServer s = start();
  HttpClient http(fast(3));
  Result<HttpResponse> r = http.get(at(s.url("/simple/nothing/")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->attempts, 1);
}

TEST_F(HttpTest, CredentialsFromUrlAreSentAndNeverPrinted) {
  IndexServer s = start({"/files/f1=500"}, "user:s3cret");
  HttpClient http(fast(2));
  std::string with_creds = "http://user:s3cret@127.0.0.1:" + std::to_string(s.port());
  Result<HttpResponse> ok = http.get(at(with_creds + "/files/f0"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "content 0");
  EXPECT_EQ(ok->effective_url, s.url("/files/f0"));
  Result<HttpResponse> bad = http.get(at(with_creds + "/files/f1"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "GET http://***@127.0.0.1:" + std::to_string(s.port()) + "/files/f1: HTTP 500 after 2 attempts");
  EXPECT_EQ(bad.error().message.find("s3cret"), std::string::npos);
  Result<HttpResponse> anonymous = http.get(at(s.url("/files/f0")));
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(HttpTest, CredentialsFromHostTableAndNetrc) {
  IndexServer s = start({}, "user:s3cret");
  HttpOptions o = fast(1);
  o.credentials["127.0.0.1:" + std::to_string(s.port())] = {"user", "s3cret"};
  HttpClient by_host(o);
  Result<HttpResponse> r = by_host.get(at(s.url("/files/f2")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  std::filesystem::path netrc = tmp_->path() / "netrc";
  ASSERT_TRUE(write_file_atomic(netrc, "machine 127.0.0.1 login user password s3cret\n", 0600));
  HttpOptions n = fast(1);
  n.use_netrc = true;
  n.netrc_file = netrc;
  HttpClient by_netrc(n);
  Result<HttpResponse> r2 = by_netrc.get(at(s.url("/files/f3")));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(r2->body, "content 3");

  HttpOptions wrong = fast(1);
  wrong.credentials["127.0.0.1:" + std::to_string(s.port())] = {"user", "nope"};
  HttpClient rejected(wrong);
  EXPECT_EQ(rejected.get(at(s.url("/files/f2")))->status, 401);
}

TEST_F(HttpTest, NegotiatesJsonAndFollowsRedirects) {
  IndexServer s = start();
  HttpClient http(fast(1));
  HttpRequest req = at(s.url("/simple/alpha"), {std::string(kSimpleAcceptHeader)});
  Result<HttpResponse> r = http.get(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "application/vnd.pypi.simple.v1+json");
  EXPECT_EQ(r->effective_url, s.url("/simple/alpha/"));
  Result<HttpResponse> h = http.get(at(s.url("/simple/alpha/")));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(s.request_summary(), "301 /simple/alpha\n200 /simple/alpha/\n200 /simple/alpha/\n");
}

TEST_F(HttpTest, ConditionalRequestsGet304) {
  IndexServer s = start();
  HttpClient http(fast(1));
  Result<HttpResponse> first = http.get(at(s.url("/simple/alpha/")));
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->etag.empty());
  ASSERT_FALSE(first->last_modified.empty());
  Result<HttpResponse> by_etag =
      http.get(at(s.url("/simple/alpha/"), {}, first->etag));
  ASSERT_TRUE(by_etag);
  EXPECT_EQ(by_etag->status, 304);
  EXPECT_EQ(by_etag->body, "");
  Result<HttpResponse> by_date =
      http.get(at(s.url("/simple/alpha/"), {}, std::nullopt, first->last_modified));
  ASSERT_TRUE(by_date);
  EXPECT_EQ(by_date->status, 304);
}

TEST_F(HttpTest, ManyTransfersInParallelKeepTheirOrder) {
  IndexServer s = start({"/files/f7=500:1"});
  HttpOptions o = fast(3);
  o.max_parallel = 8;
  HttpClient http(o);
  std::vector<HttpRequest> reqs;
  for (int i = 0; i < 20; ++i) reqs.push_back(at(s.url("/files/f" + std::to_string(i))));
  reqs.push_back(at(s.url("/files/missing")));
  std::vector<Result<HttpResponse>> rs = http.get_all(reqs);
  ASSERT_EQ(rs.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(rs[i]) << rs[i].error().message;
    EXPECT_EQ(rs[i]->body, "content " + std::to_string(i));
  }
  EXPECT_EQ(rs[7]->attempts, 2);
  EXPECT_EQ(rs[20]->status, 404);
  EXPECT_EQ(s.requests().size(), 22u);
}

TEST_F(HttpTest, HttpsWithCertBundle) {
  std::filesystem::path cert = tmp_->path() / "cert.pem", key = tmp_->path() / "key.pem";
  ASSERT_EQ(testing::run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
                                  "-nodes", "-subj", "/CN=127.0.0.1", "-addext",
                                  "subjectAltName=IP:127.0.0.1", "-days", "2", "-keyout",
                                  key.string(), "-out", cert.string()}),
            0);
  IndexServer::Options o;
  o.root = root_;
  o.log = tmp_->path() / "tls.log";
  o.tls_cert = cert;
  o.tls_key = key;
  std::string error;
  std::optional<IndexServer> s = IndexServer::start(o, &error);
  ASSERT_TRUE(s) << error;
  std::string url = s->url("/files/f1");
  ASSERT_TRUE(url.starts_with("https://"));

  HttpClient system_cas(fast(1));
  Result<HttpResponse> untrusted = system_cas.get(at(url));
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().message,
            "GET " + url + ": the server's TLS certificate is not trusted (SSL certificate "
            "problem: self-signed certificate); give the CA bundle that signed it with --cert");

  HttpOptions with_cert = fast(1);
  with_cert.ca_bundle = cert;
  HttpClient trusted(with_cert);
  Result<HttpResponse> r = trusted.get(at(url));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "content 1");

  HttpOptions missing = fast(1);
  missing.ca_bundle = tmp_->path() / "nope.pem";
  HttpClient bad_bundle(missing);
  Result<HttpResponse> e = bad_bundle.get(at(url));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message,
            "GET " + url + ": cannot read the CA bundle " + (tmp_->path() / "nope.pem").string());
}

}  // namespace
}  // namespace funcpack
