#include "core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace sb::crypto {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

// OpenSSL 3 looks an algorithm up by name on every use of EVP_md5() and the like (an "implicit
// fetch"); fetching once and keeping the method avoids that lookup per hash.
const EVP_MD* fetched(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("OpenSSL has no ") + name);
  return md;  // kept for the life of the process
}
const EVP_MD* sha256_md() {
  static const EVP_MD* md = fetched("SHA256");
  return md;
}
const EVP_MD* md5_md() {
  static const EVP_MD* md = fetched("MD5");
  return md;
}
const EVP_MD* sha1_md() {
  static const EVP_MD* md = fetched("SHA1");
  return md;
}

// One reusable digest context per thread.
EVP_MD_CTX* thread_context() {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  return holder.ctx;
}

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = thread_context();
  if (EVP_DigestInit_ex(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out, &size) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  return to_hex(out, size);
}

}  // namespace

std::string random_hex(std::size_t byte_count) {
  // Identifiers (tags, branches, Call-IDs, SIDs) take a few bytes each, many times per call, and
  // each RAND_bytes call costs ~2 µs of locking and context lookups: each thread draws the CSPRNG
  // a block at a time and hands the bytes out once each.
  constexpr std::size_t kBlock = 4096;
  thread_local std::vector<unsigned char> pool;
  thread_local std::size_t used = 0;
  if (byte_count > kBlock) {
    std::vector<unsigned char> bytes(byte_count);
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed: the CSPRNG is not available");
    }
    return to_hex(bytes.data(), bytes.size());
  }
  if (pool.size() - used < byte_count) {
    pool.resize(kBlock);
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
      pool.clear();
      used = 0;
      throw std::runtime_error("RAND_bytes failed: the CSPRNG is not available");
    }
    used = 0;
  }
  auto out = to_hex(pool.data() + used, byte_count);
  OPENSSL_cleanse(pool.data() + used, byte_count);  // handed out once: not kept in memory
  used += byte_count;
  return out;
}

std::string sha256_hex(std::string_view data) { return digest_hex(sha256_md(), data); }
std::string md5_hex(std::string_view data) { return digest_hex(md5_md(), data); }

// RFC 2104: HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)), K0 the key padded to the block.
namespace {

constexpr std::size_t kHmacBlock = 64;  // SHA-1's and SHA-256's

// K0: the key, hashed first when it is longer than the block, padded with zeros.
void hmac_block_key(const EVP_MD* md, std::string_view key, unsigned char (&k0)[kHmacBlock]) {
  std::fill(std::begin(k0), std::end(k0), 0);
  if (key.size() <= kHmacBlock) {
    std::copy(key.begin(), key.end(), k0);
  } else if (EVP_Digest(key.data(), key.size(), k0, nullptr, md, nullptr) != 1) {
    throw std::runtime_error("HMAC key hashing failed");
  }
}

}  // namespace

struct HmacSha256::State {
  EVP_MD_CTX* inner = EVP_MD_CTX_new();  // after K0 ^ ipad
  EVP_MD_CTX* outer = EVP_MD_CTX_new();  // after K0 ^ opad
  EVP_MD_CTX* work = EVP_MD_CTX_new();
  ~State() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
    EVP_MD_CTX_free(work);
  }
};

HmacSha256::HmacSha256(std::string_view key) : state_(std::make_unique<State>()) {
  unsigned char k0[kHmacBlock];
  hmac_block_key(sha256_md(), key, k0);
  unsigned char pad[kHmacBlock];
  auto keyed = [&](EVP_MD_CTX* ctx, unsigned char byte) {
    for (std::size_t i = 0; i < kHmacBlock; ++i) pad[i] = static_cast<unsigned char>(k0[i] ^ byte);
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx, pad, kHmacBlock) != 1) {
      throw std::runtime_error("HMAC-SHA-256 initialisation failed");
    }
  };
  if (state_->work == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  keyed(state_->inner, 0x36);
  keyed(state_->outer, 0x5c);
  OPENSSL_cleanse(k0, sizeof k0);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha256::~HmacSha256() = default;

void HmacSha256::sign(std::string_view data, unsigned char (&out)[32]) {
  unsigned char inner[32];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = state_->work;
  const bool is_ok = EVP_MD_CTX_copy_ex(ctx, state_->inner) == 1 && EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                     EVP_DigestFinal_ex(ctx, inner, &size) == 1 && EVP_MD_CTX_copy_ex(ctx, state_->outer) == 1 &&
                     EVP_DigestUpdate(ctx, inner, sizeof inner) == 1 && EVP_DigestFinal_ex(ctx, out, &size) == 1;
  if (!is_ok) throw std::runtime_error("HMAC-SHA-256 failed");
}

// HMAC() would fetch the HMAC method and SHA-1 by name on every call (OpenSSL 3's EVP_Q_mac,
// ~30 µs, once per signed webhook request); RFC 2104 over the fetched digest and this thread's
// context costs the two hashes alone.
std::string hmac_sha1(std::string_view key, std::string_view data) {
  constexpr std::size_t kSize = 20;
  unsigned char k0[kHmacBlock];
  hmac_block_key(sha1_md(), key, k0);
  unsigned int size = 0;
  unsigned char pad[kHmacBlock];
  unsigned char inner[kSize];
  unsigned char out[kSize];
  EVP_MD_CTX* ctx = thread_context();
  auto hash = [&](unsigned char byte, const void* text, std::size_t text_size, unsigned char* digest) {
    for (std::size_t i = 0; i < kHmacBlock; ++i) pad[i] = static_cast<unsigned char>(k0[i] ^ byte);
    return EVP_DigestInit_ex(ctx, sha1_md(), nullptr) == 1 && EVP_DigestUpdate(ctx, pad, kHmacBlock) == 1 &&
           EVP_DigestUpdate(ctx, text, text_size) == 1 && EVP_DigestFinal_ex(ctx, digest, &size) == 1;
  };
  const bool is_ok = hash(0x36, data.data(), data.size(), inner) && hash(0x5c, inner, kSize, out);
  OPENSSL_cleanse(k0, sizeof k0);
  OPENSSL_cleanse(pad, sizeof pad);
  if (!is_ok) throw std::runtime_error("HMAC-SHA-1 failed");
  return std::string(reinterpret_cast<const char*>(out), kSize);
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(data.data()),
                                      static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t size = static_cast<std::size_t>(written);
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() > 1 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sb::crypto
