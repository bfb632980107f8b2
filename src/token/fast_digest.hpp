#pragma once
// SHA-1 / SHA-256 over a few pieces, for paths run once a connection (the token's replay
// digest, the WebSocket accept key): each algorithm fetched once and one digest context per
// thread. OpenSSL 3's one-shot calls (SHA256(), EVP_Digest) look the algorithm up and allocate
// two contexts every time, which cost more than the hashing (0.38 against 0.12 µs).
#include <openssl/evp.h>

#include <array>
#include <initializer_list>
#include <string_view>

namespace parley::token {

enum class DigestAlgorithm { Sha1, Sha256 };

struct DigestBytes {
    std::array<unsigned char, EVP_MAX_MD_SIZE> bytes{};
    unsigned int size = 0;  // 0 when OpenSSL failed
};

// The digest of the concatenation of `parts`.
DigestBytes fast_digest(DigestAlgorithm algorithm, std::initializer_list<std::string_view> parts);

}  // namespace parley::token
