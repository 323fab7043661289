#pragma once
// co_await form of Client::send, for call flows written as coroutines on the signalling loop.
// A separate header so that users of Client alone do not parse Asio's coroutine machinery.

#include "http/client.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <utility>

namespace sb::http {

// Sends `request` with `client` and resumes with its result, on the coroutine's executor.
// `client` must outlive the request (destroying it completes the request with `cancelled`).
inline boost::asio::awaitable<ClientResult> async_send(Client& client, ClientRequest request) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(ClientResult)>(
      [&client](auto handler, ClientRequest r) {
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        client.send(std::move(r), [shared](ClientResult result) {
          auto executor = boost::asio::get_associated_executor(*shared);
          boost::asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        });
      },
      boost::asio::use_awaitable, std::move(request));
}

}  // namespace sb::http
