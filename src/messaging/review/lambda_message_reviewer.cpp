#include "messaging/review/lambda_message_reviewer.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/context.hpp>
#include <stdexcept>

#include "messaging/chat_session.hpp"
#include "messaging/review/lambda_tls_context.hpp"
#include "messaging/review/review_exchange.hpp"
#include "model/clock_format.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

namespace {
constexpr std::int64_t kWarningIntervalMs = 10000;

// Both end on the sender's loop: ChatSession is single-threaded.
void deliver(const SessionPtr& sender, const RoomPtr& room, ChatMessage m) {
    asio::dispatch(sender->executor(), [sender, room, m = std::move(m)]() mutable {
        sender->deliver_message(room, std::move(m));
    });
}

void reject(const SessionPtr& sender, const ChatMessage& m, std::string text) {
    asio::dispatch(sender->executor(),
                   [sender, id = m.id, request_id = m.request_id, text = std::move(text)] {
                       sender->send_error(id, request_id, 406, text);
                   });
}
}  // namespace

LambdaMessageReviewer::LambdaMessageReviewer(const std::string& endpoint_url,
                                             const std::string& ca_file,
                                             auth::Credentials credentials, std::size_t loop_count,
                                             EdgeMetrics& metrics, std::chrono::milliseconds budget)
    : metrics_(metrics), budget_(budget) {
    if (endpoint_url.empty()) {
        if (!ca_file.empty()) spdlog::warn("--lambda-ca-file is ignored without --lambda-endpoint");
        return;
    }
    std::string error;
    auto endpoint = parse_lambda_endpoint(endpoint_url, error);
    if (!endpoint) throw std::invalid_argument("--lambda-endpoint " + endpoint_url + ": " + error);
    // One TLS context for every connection of every loop: trust store and settings load once.
    std::shared_ptr<asio::ssl::context> tls;
    if (endpoint->tls)
        tls = make_lambda_tls_context(ca_file);
    else if (!ca_file.empty())
        spdlog::warn("--lambda-ca-file is ignored: --lambda-endpoint {} is not https",
                     endpoint_url);
    client_ = std::make_unique<LambdaInvokeClient>(std::move(*endpoint), std::move(credentials),
                                                   loop_count, std::move(tls));
}

LambdaMessageReviewer::~LambdaMessageReviewer() = default;

void LambdaMessageReviewer::review(const RoomPtr& room, ChatMessage message,
                                   const std::string& sender_ip, SessionPtr sender) {
    metrics_.reviews.fetch_add(1, std::memory_order_relaxed);
    if (!room->message_review_handler) return deliver(sender, room, std::move(message));
    if (!client_) {
        if (!warned_no_endpoint_.exchange(true))
            spdlog::warn(
                "room {} has a message review handler but --lambda-endpoint is not set: its "
                "fallbackResult ({}) is applied to every message (logged once)",
                room->arn, room->message_review_handler->fallback_result);
        return apply_fallback(room, std::move(message), sender);
    }
    auto payload = review_request_json(message, room->arn, sender_ip);
    auto executor = sender->executor();
    auto loop_index = sender->loop_index();
    client_->invoke(executor, loop_index, room->message_review_handler->uri, std::move(payload),
                    budget_,
                    [this, room, message = std::move(message),
                     sender = std::move(sender)](InvokeResult result) mutable {
                        on_result(room, std::move(message), sender, std::move(result));
                    });
}

void LambdaMessageReviewer::on_result(const RoomPtr& room, ChatMessage message,
                                      const SessionPtr& sender, InvokeResult result) {
    using Outcome = InvokeResult::Outcome;
    if (result.outcome == Outcome::Timeout) {
        metrics_.review_timeouts.fetch_add(1, std::memory_order_relaxed);
        warn_rate_limited("message review in room " + room->arn + " timed out after " +
                          std::to_string(budget_.count()) + " ms");
        return apply_fallback(room, std::move(message), sender);
    }
    if (result.outcome != Outcome::Ok) {
        metrics_.review_errors.fetch_add(1, std::memory_order_relaxed);
        warn_rate_limited("message review in room " + room->arn + " failed: " + result.detail);
        return apply_fallback(room, std::move(message), sender);
    }
    auto verdict = parse_review_response(result.body, room->maximum_message_length);
    switch (verdict.kind) {
        case ReviewVerdict::Kind::Allow:
            metrics_.reviews_allowed.fetch_add(1, std::memory_order_relaxed);
            message.content = std::move(verdict.content);
            if (verdict.attributes) message.attributes = std::move(verdict.attributes);
            return deliver(sender, room, std::move(message));
        case ReviewVerdict::Kind::Deny:
            metrics_.reviews_denied.fetch_add(1, std::memory_order_relaxed);
            return reject(sender, message, denied_message_text(verdict.reason));
        case ReviewVerdict::Kind::Invalid:
            break;
    }
    metrics_.review_errors.fetch_add(1, std::memory_order_relaxed);
    warn_rate_limited("message review in room " + room->arn +
                      " returned an invalid response: " + verdict.problem);
    apply_fallback(room, std::move(message), sender);
}

void LambdaMessageReviewer::apply_fallback(const RoomPtr& room, ChatMessage message,
                                           const SessionPtr& sender) {
    metrics_.reviews_fallback.fetch_add(1, std::memory_order_relaxed);
    if (room->message_review_handler && room->message_review_handler->fallback_result == "DENY")
        return reject(sender, message, denied_message_text(""));
    deliver(sender, room, std::move(message));
}

void LambdaMessageReviewer::warn_rate_limited(const std::string& text) {
    auto now = model::now_millis();
    auto last = last_warning_ms_.load(std::memory_order_relaxed);
    if (now - last < kWarningIntervalMs) return spdlog::debug("{}", text);
    if (!last_warning_ms_.compare_exchange_strong(last, now)) return spdlog::debug("{}", text);
    spdlog::warn("{} (further review warnings within {} s are logged at debug level)", text,
                 kWarningIntervalMs / 1000);
}

}  // namespace parley::messaging
