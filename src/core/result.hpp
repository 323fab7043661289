#pragma once
// Result<T>: the value or the error code of an operation that can fail on bad input (STYLE.md, Errors).

#include <boost/system/result.hpp>
#include <system_error>

namespace sb {

template <class T>
using Result = boost::system::result<T, std::error_code>;

}  // namespace sb
