#pragma once
// One REST request on its way through the API: who sent it, what it acts on, and how to answer.
// Shared by the action and any store completion it waits for; lives on the signalling loop.

#include "api/error.hpp"
#include "http/form.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::api {

struct Principal {
  store::Account account;            // the account the credentials belong to
  std::optional<store::ApiKey> key;  // set when authenticated with an API key
  bool is_standard_key() const { return key && !key->is_main; }
};

struct Context {
  http::Request request;
  http::Reply reply;
  store::Store& store;
  Principal principal;
  std::vector<std::string> captures;     // path captures, in order
  std::optional<store::Account> account;  // the account in the path, after access checks
  http::Form query;
  http::Form form;  // POST body

  void respond(unsigned status, const boost::json::object& body) const;
  void respond_no_content() const;  // 204, DELETE
  void fail(const ApiError& error) const;
};

using ContextPtr = std::shared_ptr<Context>;

}  // namespace sb::api
