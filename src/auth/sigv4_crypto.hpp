#pragma once
// The hashing primitives SigV4 is built from (OpenSSL 3): SHA-256, HMAC-SHA256, the derived
// signing key and a constant-time comparison, so timing does not leak how much of a signature
// matched.
#include <string>
#include <string_view>

namespace parley::auth {

std::string hex_encode(std::string_view bytes);  // lower-case hex, as SigV4 writes hashes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                               std::string_view region, std::string_view service);
// Hex HMAC of the string to sign under the derived key: the Signature= value.
std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign);

// Equal length and equal bytes, compared with CRYPTO_memcmp.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace parley::auth
