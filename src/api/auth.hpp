#pragma once
// HTTP Basic authentication as Twilio does it: AccountSid + AuthToken, or API key SID + secret.
// Runs on the signalling loop with indexed reads; never logs a secret.

#include "api/context.hpp"

#include <variant>

namespace sb::api {

// The principal behind `authorization` (the Authorization header), or the error to answer.
std::variant<Principal, ApiError> authenticate(store::Store& store, std::string_view authorization);

// The account's status, taking its owner's into account (a suspended or closed main account
// makes its subaccounts inactive too).
std::string effective_status(store::Store& store, const store::Account& account);

}  // namespace sb::api
