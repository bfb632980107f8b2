#pragma once
// Verifies the AWS Signature Version 4 of a control-plane request (Authorization header form)
// against the configured access keys. Errors mimic what AWS front ends answer (spec 6.2).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/canonical_request.hpp"
#include "auth/credential_store.hpp"

namespace parley::auth {

struct HttpRequestView {      // what the verifier needs, as received on the wire
    std::string_view method;  // "POST"
    std::string_view target;  // raw request-target, still percent-encoded, incl. "?query"
    HeaderList headers;       // names in any case, repeated allowed
    std::string_view body;
};

struct VerifiedCaller {
    std::string access_key_id;
};

class SigV4Verifier {
  public:
    // creds must outlive the verifier.
    SigV4Verifier(const CredentialStore& creds, std::string service = "ivschat",
                  std::chrono::seconds max_skew = std::chrono::minutes(5));

    // Throws parley::model::ApiError (status 403) on failure; returns the caller on success.
    VerifiedCaller verify(const HttpRequestView& req, std::int64_t now_epoch_seconds) const;

  private:
    const CredentialStore& creds_;
    std::string service_;
    std::chrono::seconds max_skew_;
};

}  // namespace parley::auth
