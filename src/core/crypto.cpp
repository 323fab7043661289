#include "core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

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

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, md, nullptr) != 1) {
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

std::string sha256_hex(std::string_view data) { return digest_hex(EVP_sha256(), data); }
std::string md5_hex(std::string_view data) { return digest_hex(EVP_md5(), data); }

std::string hmac_sha1(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
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
