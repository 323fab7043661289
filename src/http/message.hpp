#pragma once
// HTTP requests and responses as plain values, so layers above http/ never include Beast.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query, e.g. "/2010-04-01/Accounts.json?PageSize=2"
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;

  // The value of the first header named `name` (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const;
  std::string_view path() const;   // target before '?'
  std::string_view query() const;  // target after '?', without it; empty when none
};

struct Response {
  unsigned status = 200;
  std::vector<Header> headers;
  std::string body;

  Response& set(std::string name, std::string value);
};

// Answers a request exactly once. Any thread may call it (the server hands the response to the
// signalling loop), so blocking work can answer from the thread it ran on.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request, Reply)>;

bool iequals(std::string_view a, std::string_view b);

}  // namespace sb::http
