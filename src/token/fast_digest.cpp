#include "token/fast_digest.hpp"

#include <memory>

namespace parley::token {

namespace {
const EVP_MD* fetched(DigestAlgorithm algorithm) {
    static EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return algorithm == DigestAlgorithm::Sha1 ? sha1 : sha256;
}
}  // namespace

DigestBytes fast_digest(DigestAlgorithm algorithm, std::initializer_list<std::string_view> parts) {
    struct Free {
        void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    thread_local std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());
    DigestBytes out;
    const EVP_MD* md = fetched(algorithm);
    if (md == nullptr || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) return out;
    for (std::string_view part : parts)
        if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return out;
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx.get(), out.bytes.data(), &size) == 1) out.size = size;
    return out;
}

}  // namespace parley::token
