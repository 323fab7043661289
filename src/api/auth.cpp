#include "api/auth.hpp"

#include "core/crypto.hpp"
#include "core/sid.hpp"

namespace sb::api {

std::string effective_status(store::Store& store, const store::Account& account) {
  if (account.status != "active" || account.is_main()) return account.status;
  const auto owner = store.accounts().find(account.owner_account_sid);
  if (!owner) return "closed";
  return owner->status == "active" ? account.status : owner->status;
}

std::variant<Principal, ApiError> authenticate(store::Store& store, std::string_view authorization) {
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.size() <= kBasic.size() ||
      !http::iequals(authorization.substr(0, kBasic.size()), kBasic)) {
    return ApiError::unauthorized();
  }
  const auto decoded = crypto::base64_decode(authorization.substr(kBasic.size()));
  if (!decoded) return ApiError::unauthorized();
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return ApiError::unauthorized();
  const std::string_view username = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);

  Principal principal;
  if (is_sid(username, sid_prefix::kAccount)) {
    auto account = store.accounts().find(username);
    // Compare even when the account is unknown, so timing does not tell which SIDs exist.
    const std::string expected = account ? account->auth_token : std::string(32, '\0');
    if (!crypto::constant_time_equal(expected, password) || !account) return ApiError::unauthorized();
    principal.account = std::move(*account);
  } else if (is_sid(username, sid_prefix::kApiKey)) {
    auto key = store.keys().find(username);
    const std::string hash = crypto::sha256_hex(password);
    const std::string expected = key ? key->secret_sha256 : std::string(64, '0');
    if (!crypto::constant_time_equal(expected, hash) || !key) return ApiError::unauthorized();
    auto account = store.accounts().find(key->account_sid);
    if (!account) return ApiError::unauthorized();
    principal.account = std::move(*account);
    principal.key = std::move(*key);
  } else {
    return ApiError::unauthorized();
  }
  if (effective_status(store, principal.account) != "active") {
    return ApiError::account_not_active(principal.account.sid);
  }
  return principal;
}

}  // namespace sb::api
