#pragma once
// Loads golden files of tests/data/ (SB_TEST_DATA_DIR) byte for byte.

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sb::sip::test {

inline std::string load_data(std::string_view relative_path) {
  const std::string path = std::string(SB_TEST_DATA_DIR) + "/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test data " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string load_torture(std::string_view name) {
  return load_data("sip/rfc4475/" + std::string(name) + ".dat");
}

}  // namespace sb::sip::test
