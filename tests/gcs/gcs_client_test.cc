#include "nc2zarr/gcs/gcs_client.h"

#include <gtest/gtest.h>

#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/gcs/gcs_path.h"
#include "nc2zarr/gcs/object_hash.h"
#include "testing/fakes.h"

namespace nc2zarr {
namespace {

using fakes::FakeClock;
using fakes::FakeTransport;
using fakes::Reply;

constexpr std::size_t kQuantum = 256 * 1024;

struct Harness {
  FakeClock clock;
  FakeTransport* transport;
  std::unique_ptr<GcsClient> client;

  explicit Harness(GcsApi api = GcsApi::kJson, std::size_t threshold = 1 << 20, std::size_t piece = kQuantum,
                   int attempts = 12) {
    auto t = std::make_unique<FakeTransport>();
    transport = t.get();
    GcsOptions o;
    o.endpoint = "http://gcs.test";
    o.api = api;
    o.resumable_threshold = threshold;
    o.piece_size = piece;
    o.retry.initial_backoff = std::chrono::milliseconds(10);
    o.retry.max_attempts = attempts;
    client = std::make_unique<GcsClient>(o, MakeAnonymousCredentials(), std::move(t), clock);
  }
};

std::vector<std::byte> Data(std::size_t n) {
  std::vector<std::byte> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<std::byte>((i * 131) % 251);
  return d;
}

std::string Resource(const std::string& name, std::size_t size, std::uint32_t crc, const std::string& gen = "1") {
  return R"({"kind":"storage#object","name":")" + name + R"(","size":")" + std::to_string(size) + R"(","crc32c":")" +
         Crc32cToBase64(crc) + R"(","generation":")" + gen + "\"}";
}

TEST(GcsPath, ParsesAndRejects) {
  auto p = ParseGcsUrl("gs://my-bucket/me/run.zarr/");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->bucket, "my-bucket");
  EXPECT_EQ(p->prefix, "me/run.zarr");
  EXPECT_EQ(p->ObjectName("tas/0.0"), "me/run.zarr/tas/0.0");
  EXPECT_TRUE(ParseGcsUrl("gs://my-bucket/a..b/.hidden/run.zarr").ok());  // dots inside names are fine
  for (const char* bad : {"gs://", "gs://A/b", "gs://ab/x", "gs://bucket//x", "s3://bucket/x", "gs://-bad/x",
                          "gs://bucket/x/../up.zarr", "gs://bucket/./dot.zarr", "gs://bucket/..", "gs://bucket/a/."}) {
    auto r = ParseGcsUrl(bad);
    EXPECT_EQ(r.status().code(), ErrorCode::kUsage) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos);
  }
}

TEST(ChooseEndpoint, FlagThenEmulatorThenGcs) {
  EXPECT_EQ(ChooseEndpoint("http://x:1/", "127.0.0.1:9000"), "http://x:1");
  EXPECT_EQ(ChooseEndpoint("", "127.0.0.1:9000"), "http://127.0.0.1:9000");
  EXPECT_EQ(ChooseEndpoint("", "https://emu"), "https://emu");
  EXPECT_EQ(ChooseEndpoint("", nullptr), "https://storage.googleapis.com");
}

TEST(GcsClient, SmallObjectsGoInOneRequestWithCrcAndPrecondition) {
  Harness h;
  auto data = Data(1000);
  const auto crc = Crc32c(data);
  h.transport->script.push_back(Reply(200, Resource("p/tas/0.0", 1000, crc)));
  auto r = h.client->Upload("b", "p/tas/0.0", data, crc, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(h.transport->requests.size(), 1u);
  const auto& q = h.transport->requests[0];
  EXPECT_EQ(q.method, "POST");
  // The reply is asked to hold only what the client reads.
  EXPECT_EQ(q.url,
            "http://gcs.test/upload/storage/v1/b/b/o?uploadType=media&name=p%2Ftas%2F0.0&ifGenerationMatch=0"
            "&fields=name,size,generation,crc32c");
  EXPECT_EQ(q.Header("x-goog-hash"), "crc32c=" + Crc32cToBase64(crc));
  EXPECT_EQ(q.body.size(), 1000u);
}

TEST(GcsClient, XmlPutCarriesHashAndPreconditionHeaders) {
  Harness h(GcsApi::kXml);
  auto data = Data(10);
  const auto crc = Crc32c(data);
  h.transport->script.push_back(Reply(200, "", {{"x-goog-hash", "crc32c=" + Crc32cToBase64(crc) + ",md5=x"}}));
  ASSERT_TRUE(h.client->Upload("b", "a b/c", data, crc, true).ok());
  const auto& q = h.transport->requests[0];
  EXPECT_EQ(q.method, "PUT");
  EXPECT_EQ(q.url, "http://gcs.test/b/a%20b/c");
  EXPECT_EQ(q.Header("x-goog-if-generation-match"), "0");
}

TEST(GcsClient, A412ForTheSameBytesIsSuccess) {
  // The first attempt stored the object but its reply was lost.
  Harness h;
  auto data = Data(100);
  const auto crc = Crc32c(data);
  h.transport->script = {fakes::Reset(), Reply(412), Reply(200, Resource("o", 100, crc))};
  auto r = h.client->Upload("b", "o", data, crc, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(h.transport->requests.back().method, "GET");
  EXPECT_EQ(h.transport->requests.back().url, "http://gcs.test/storage/v1/b/b/o/o?fields=name,size,generation,crc32c");
}

TEST(GcsClient, A412ForOtherBytesIsRefused) {
  Harness h;
  auto data = Data(100);
  h.transport->script = {Reply(412), Reply(200, Resource("o", 100, 12345))};
  auto r = h.client->Upload("b", "o", data, Crc32c(data), true);
  ASSERT_EQ(r.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(r.status().message().find("gs://b/o already exists with different content"), std::string::npos);
}

TEST(GcsClient, A412ForAnObjectThatIsNotThereIsUploadedAgain) {
  Harness h;
  auto data = Data(100);
  const auto crc = Crc32c(data);
  h.transport->script = {Reply(412), Reply(404), Reply(200, Resource("o", 100, crc))};
  auto r = h.client->Upload("b", "o", data, crc, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(h.transport->requests.size(), 3u);
}

TEST(GcsClient, AWrongReportedCrcIsNeverAccepted) {
  Harness h;
  auto data = Data(100);
  const auto crc = Crc32c(data);
  h.transport->script = {Reply(200, Resource("o", 100, crc ^ 1)),  // the upload's reply
                         Reply(200, Resource("o", 100, crc ^ 1)),  // what is stored: wrong too
                         Reply(204),                               // deleted
                         Reply(200, Resource("o", 100, crc))};     // uploaded again
  auto r = h.client->Upload("b", "o", data, crc, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(h.transport->requests.size(), 4u);
  EXPECT_EQ(h.transport->requests[2].method, "DELETE");
}

TEST(GcsClient, AWrongCrcInTheReplyOnlyIsResolvedByReadingTheMetadata) {
  Harness h;
  auto data = Data(100);
  const auto crc = Crc32c(data);
  h.transport->script = {Reply(200, Resource("o", 100, crc ^ 1)), Reply(200, Resource("o", 100, crc))};
  ASSERT_TRUE(h.client->Upload("b", "o", data, crc, true).ok());
  EXPECT_EQ(h.transport->requests.size(), 2u);
}

// A resumable upload of 3 pieces: the second piece's connection breaks; the
// status query says only the first piece arrived; the upload continues
// from there.
TEST(GcsClient, ResumableUploadContinuesFromTheCommittedOffset) {
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(3 * kQuantum - 100);
  const auto crc = Crc32c(data);
  const std::string session = "http://gcs.test/upload/storage/v1/b/b/o?uploadType=resumable&upload_id=1";
  h.transport->script = {
      Reply(200, "", {{"location", session}}),
      Reply(308, "", {{"range", "bytes=0-262143"}}),
      fakes::Reset(),
      Reply(308, "", {{"range", "bytes=0-262143"}}),  // status: the second piece is lost
      Reply(308, "", {{"range", "bytes=0-524287"}}),
      Reply(200, Resource("o", data.size(), crc)),
  };
  auto r = h.client->Upload("b", "o", data, crc, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& q = h.transport->requests;
  ASSERT_EQ(q.size(), 6u);
  EXPECT_NE(q[0].url.find("uploadType=resumable"), std::string::npos);
  EXPECT_NE(q[0].url.find("&fields=name,size,generation,crc32c"), std::string::npos);
  EXPECT_NE(q[0].body.find(Crc32cToBase64(crc)), std::string::npos);
  EXPECT_EQ(q[1].Header("Content-Range"), "bytes 0-262143/*");
  EXPECT_EQ(q[2].Header("Content-Range"), "bytes 262144-524287/*");
  EXPECT_EQ(q[3].Header("Content-Range"), "bytes */786332");
  EXPECT_EQ(q[4].Header("Content-Range"), "bytes 262144-524287/*");
  EXPECT_EQ(q[5].Header("Content-Range"), "bytes 524288-786331/786332");
  EXPECT_EQ(q[5].body.size(), kQuantum - 100);
}

TEST(GcsClient, ResumableUploadRefusesACommittedSizeThatGoesBackwards) {
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(3 * kQuantum);
  // Each time in a new session (nothing final is stored), until the rounds are spent.
  for (int round = 0; round < 3; ++round) {
    for (auto reply : {Reply(200, "", {{"location", "http://gcs.test/s"}}),
                       Reply(308, "", {{"range", "bytes=0-524287"}})}) {  // more than sent: 262144
      h.transport->script.push_back(reply);
    }
  }
  auto r = h.client->Upload("b", "o", data, Crc32c(data), true);
  ASSERT_EQ(r.status().code(), ErrorCode::kDataLoss);
  EXPECT_NE(r.status().message().find("more than the 262144 sent"), std::string::npos);

  Harness g(GcsApi::kJson, kQuantum, kQuantum);
  for (int round = 0; round < 3; ++round) {
    g.transport->script.push_back(Reply(200, "", {{"location", "http://gcs.test/s"}}));
    g.transport->script.push_back(Reply(308, "", {{"range", "bytes=0-262143"}}));
    g.transport->script.push_back(fakes::Reset());
    g.transport->script.push_back(Reply(308, ""));  // status: nothing persisted any more
  }
  r = g.client->Upload("b", "o", data, Crc32c(data), true);
  ASSERT_EQ(r.status().code(), ErrorCode::kDataLoss);
  EXPECT_NE(r.status().message().find("went backwards"), std::string::npos);
}

TEST(GcsClient, AnUploadSessionOnAnotherHostGetsNothing) {
  // A proxy rewriting Location to another host must not receive the data
  // (nor, with credentials, the token).
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(2 * kQuantum);
  h.transport->script = {Reply(200, "", {{"location", "http://elsewhere.test/s"}})};
  auto r = h.client->Upload("b", "o", data, Crc32c(data), true);
  ASSERT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("the upload session is on elsewhere.test"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(h.transport->requests.size(), 1u);  // the start, nothing after
}

TEST(GcsClient, AnEndpointWithItsDefaultPortWrittenOutIsTheSameHost) {
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(kQuantum);
  h.transport->script = {Reply(200, "", {{"location", "http://GCS.test:80/s"}}),
                         Reply(200, Resource("o", kQuantum, Crc32c(data)))};
  ASSERT_TRUE(h.client->Upload("b", "o", data, Crc32c(data), true).ok());
}

TEST(CheckStorageEndpoint, HttpOrHttpsAndNoTokenInTheClear) {
  EXPECT_TRUE(CheckStorageEndpoint("https://storage.googleapis.com", true).ok());
  EXPECT_TRUE(CheckStorageEndpoint("http://127.0.0.1:4443", true).ok());
  EXPECT_TRUE(CheckStorageEndpoint("http://gcs-emulator:4443", false).ok());  // anonymous
  for (const char* typo : {"htps://127.0.0.1:1", "ftp://127.0.0.1:1", "127.0.0.1:1", "http://"}) {
    EXPECT_EQ(CheckStorageEndpoint(typo, false).code(), ErrorCode::kUsage) << typo;
  }
  Status clear = CheckStorageEndpoint("http://192.0.2.2:4443", true);
  EXPECT_EQ(clear.code(), ErrorCode::kUsage);
  EXPECT_NE(clear.message().find("unencrypted"), std::string::npos) << clear.message();
  for (const char* with_password : {"http://alice:S3cret@127.0.0.1:9", "https://alice:S3cret@storage.test"}) {
    Status userinfo = CheckStorageEndpoint(with_password, false);
    EXPECT_EQ(userinfo.code(), ErrorCode::kUsage) << with_password;
    EXPECT_EQ(userinfo.message().find("S3cret"), std::string::npos) << userinfo.message();
  }
}

TEST(GcsClient, AnExpiredSessionStartsAgain) {
  Harness h(GcsApi::kJson, kQuantum, 2 * kQuantum);
  auto data = Data(kQuantum);
  const auto crc = Crc32c(data);
  h.transport->script = {Reply(200, "", {{"location", "http://gcs.test/s1"}}), Reply(410),
                         Reply(200, "", {{"location", "http://gcs.test/s2"}}), Reply(200, Resource("o", kQuantum, crc))};
  ASSERT_TRUE(h.client->Upload("b", "o", data, crc, true).ok());
  EXPECT_EQ(h.transport->requests[3].url, "http://gcs.test/s2");
}

// A session an earlier run left answers "finished" with the object it made
// then, even after that object was deleted: the object is looked up, and
// uploaded again when gone.
TEST(GcsClient, AResumedSessionThatFinishedLongAgoIsCheckedAgainstTheObject) {
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(kQuantum);
  const auto crc = Crc32c(data);
  const std::string old_session = "http://gcs.test/upload/storage/v1/b/b/o?uploadType=resumable&upload_id=old";
  h.transport->script = {Reply(200, Resource("o", kQuantum, crc)),  // the session's status: finished
                         Reply(404),                                // but the object is gone
                         Reply(200, "", {{"location", "http://gcs.test/s2"}}),
                         Reply(200, Resource("o", kQuantum, crc, "2"))};
  auto r = h.client->Upload("b", "o", data, crc, true, UploadHooks{old_session, nullptr});
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& q = h.transport->requests;
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].url, old_session);
  EXPECT_EQ(q[1].method, "GET");
  EXPECT_NE(q[2].url.find("uploadType=resumable"), std::string::npos);
  EXPECT_EQ(q[3].url, "http://gcs.test/s2");
  EXPECT_EQ(r->generation, "2");

  // Still there as it was: nothing is sent again.
  Harness kept(GcsApi::kJson, kQuantum, kQuantum);
  kept.transport->script = {Reply(200, Resource("o", kQuantum, crc)), Reply(200, Resource("o", kQuantum, crc))};
  ASSERT_TRUE(kept.client->Upload("b", "o", data, crc, true, UploadHooks{old_session, nullptr}).ok());
  EXPECT_EQ(kept.transport->requests.size(), 2u);
}

TEST(GcsClient, AMalformedRangeInASessionReplyIsAskedAgainNotACrash) {
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(2 * kQuantum);
  const auto crc = Crc32c(data);
  h.transport->script = {Reply(200, "", {{"location", "http://gcs.test/s"}}),
                         Reply(308, "", {{"range", "bytes=0-zzz"}}),
                         Reply(308, "", {{"range", "bytes=0-262143"}}),  // the status query
                         Reply(200, Resource("o", data.size(), crc))};
  auto r = h.client->Upload("b", "o", data, crc, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(h.transport->requests[2].Header("Content-Range"), "bytes */524288");
  EXPECT_EQ(h.transport->requests[3].Header("Content-Range"), "bytes 262144-524287/524288");

  for (const char* range : {"bytes=0-", "bytes=0-99999999999999999999999", "bytes=5-10", "0-10"}) {
    Harness g(GcsApi::kJson, kQuantum, kQuantum, /*attempts=*/3);
    FakeTransport* t = g.transport;
    t->script = {Reply(200, "", {{"location", "http://gcs.test/s"}})};
    for (int i = 0; i < 3; ++i) t->script.push_back(Reply(308, "", {{"range", range}}));
    auto failed = g.client->Upload("b", "o", data, crc, true);
    ASSERT_FALSE(failed.ok()) << range;
    EXPECT_NE(failed.status().message().find("malformed Range header"), std::string::npos) << failed.status().message();
  }
}

TEST(GcsClient, BytesTheServerGotDamagedAreSentAgainInANewSession) {
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  auto data = Data(kQuantum);
  const auto crc = Crc32c(data);
  const std::string mismatch =
      R"({"error":{"code":400,"message":"Provided CRC32C \"AAAAAA==\" doesn't match calculated CRC32C \"BBBBBB==\"."}})";
  h.transport->script = {Reply(200, "", {{"location", "http://gcs.test/s1"}}), Reply(400, mismatch),
                         Reply(200, "", {{"location", "http://gcs.test/s2"}}), Reply(200, Resource("o", kQuantum, crc))};
  std::vector<std::string> sessions;
  auto r = h.client->Upload("b", "o", data, crc, true,
                            UploadHooks{"", [&](const std::string& s) { sessions.push_back(s); }});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(sessions, (std::vector<std::string>{"http://gcs.test/s1", "http://gcs.test/s2"}));

  // A simple upload too.
  Harness m(GcsApi::kJson, 1 << 20, kQuantum);
  m.transport->script = {Reply(400, mismatch), Reply(200, Resource("o", kQuantum, crc))};
  ASSERT_TRUE(m.client->Upload("b", "o", data, crc, true).ok());
  EXPECT_EQ(m.transport->requests.size(), 2u);
}

TEST(GcsClient, AnInterruptedRunsSessionThatIsRefusedOrElsewhereIsReplaced) {
  auto data = Data(kQuantum);
  const auto crc = Crc32c(data);
  // The session of an upload the server failed (CRC32C mismatch) answers 400 for good.
  Harness h(GcsApi::kJson, kQuantum, kQuantum);
  h.transport->script = {Reply(400, R"({"error":{"code":400,"message":"Provided CRC32C doesn't match"}})"),
                         Reply(200, "", {{"location", "http://gcs.test/s2"}}), Reply(200, Resource("o", kQuantum, crc)),
                         Reply(200, Resource("o", kQuantum, crc))};  // a resumed upload's object is looked up
  auto r = h.client->Upload("b", "o", data, crc, true, UploadHooks{"http://gcs.test/old", nullptr});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(h.transport->requests.size(), 4u);

  // The interrupted run named the endpoint otherwise: its session gets nothing, a new one is started.
  Harness e(GcsApi::kJson, kQuantum, kQuantum);
  e.transport->script = {Reply(200, "", {{"location", "http://gcs.test/s2"}}), Reply(200, Resource("o", kQuantum, crc)),
                         Reply(200, Resource("o", kQuantum, crc))};
  r = e.client->Upload("b", "o", data, crc, true, UploadHooks{"http://localhost:4443/old", nullptr});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(e.transport->requests.size(), 3u);
  for (const auto& q : e.transport->requests) EXPECT_EQ(q.url.find("localhost"), std::string::npos) << q.url;
  EXPECT_NE(e.transport->requests[0].url.find("uploadType=resumable"), std::string::npos);
}

TEST(GcsClient, XmlResumableStartAndFinalPieceHash) {
  Harness h(GcsApi::kXml, kQuantum, kQuantum);
  auto data = Data(kQuantum + 5);
  const auto crc = Crc32c(data);
  h.transport->script = {Reply(201, "", {{"location", "http://gcs.test/s"}}), Reply(308, "", {{"range", "bytes=0-262143"}}),
                         Reply(200, "", {{"x-goog-hash", "crc32c=" + Crc32cToBase64(crc)}})};
  ASSERT_TRUE(h.client->Upload("b", "o", data, crc, true).ok());
  EXPECT_EQ(h.transport->requests[0].Header("x-goog-resumable"), "start");
  EXPECT_EQ(h.transport->requests[1].Header("x-goog-hash"), "");
  EXPECT_EQ(h.transport->requests[2].Header("x-goog-hash"), "crc32c=" + Crc32cToBase64(crc));
}

TEST(GcsClient, DownloadsAreCheckedAndRetried) {
  Harness h;
  std::string body = "hello";
  auto crc = Crc32c(std::as_bytes(std::span(body.data(), body.size())));
  h.transport->script = {Reply(200, "hellO", {{"x-goog-hash", "crc32c=" + Crc32cToBase64(crc)}}),
                         Reply(200, body, {{"x-goog-hash", "crc32c=" + Crc32cToBase64(crc) + ",md5=abc"}})};
  auto r = h.client->Download("b", "o");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 5u);
  EXPECT_EQ(h.transport->requests.size(), 2u);
  EXPECT_EQ(h.client->counters().retries, 1u);
}

TEST(GcsClient, ListsPageByPage) {
  Harness h;
  h.transport->script = {Reply(200, R"({"items":[{"name":"a","size":"1"}],"nextPageToken":"t1"})"),
                         Reply(200, R"({"items":[{"name":"b","size":"2"}]})")};
  auto p1 = h.client->List("b", "p/", "", "", 1);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->next_page_token, "t1");
  auto p2 = h.client->List("b", "p/", "", "t1", 1);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->objects[0].size, 2u);
  EXPECT_TRUE(p2->next_page_token.empty());
  EXPECT_NE(h.transport->requests[1].url.find("pageToken=t1"), std::string::npos);
  EXPECT_NE(h.transport->requests[0].url.find("&fields=items(name,size,generation,crc32c),prefixes,nextPageToken"),
            std::string::npos);
}

TEST(GcsClient, PermanentErrorsNameBucketAndObject) {
  Harness h;
  auto data = Data(10);
  h.transport->script = {Reply(404, R"({"error":{"code":404,"message":"The specified bucket does not exist."}})")};
  auto r = h.client->Upload("nobucket", "p/x", data, Crc32c(data), true);
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.status().message().find("bucket 'nobucket' does not exist"), std::string::npos);
  h.transport->script = {Reply(403, R"({"error":{"code":403,"message":"no write access"}})")};
  r = h.client->Upload("b", "p/x", data, Crc32c(data), true);
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("gs://b/p/x: permission denied (HTTP 403: no write access); the account needs "
                                      "write access to the bucket"),
            std::string::npos);
  // Reading needs only read access, and says so.
  h.transport->script = {Reply(403, R"({"error":{"code":403,"message":"no list access"}})")};
  auto listed = h.client->List("b", "p/", "", "");
  EXPECT_EQ(listed.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(listed.status().message().find("the account needs read access to the bucket"), std::string::npos)
      << listed.status().message();
  // The harness is anonymous: a 401 means credentials are needed.
  h.transport->script = {Reply(401, R"({"error":{"code":401,"message":"Anonymous caller"}})")};
  r = h.client->Upload("b", "p/x", data, Crc32c(data), true);
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("the server wants credentials, and none were sent"), std::string::npos)
      << r.status().message();
  EXPECT_TRUE(h.clock.sleeps.empty());
}

TEST(GcsClient, DeletingAMissingObjectIsFine) {
  Harness h;
  h.transport->script = {Reply(404)};
  EXPECT_TRUE(h.client->Delete("b", "o").ok());
}

}  // namespace
}  // namespace nc2zarr
