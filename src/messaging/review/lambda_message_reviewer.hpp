#pragma once
// The message review handler of spec §3 on top of the Lambda Invoke API: every SendMessage to a
// room with a handler is sent to the room's function, and the message is delivered (perhaps
// modified) or refused with ERROR 406 from its answer. No answer within 200 ms, an error or an
// invalid answer applies the room's fallbackResult. The sender's loop never waits: the call is
// asynchronous on that loop and other rooms and connections keep flowing meanwhile.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "auth/credential_store.hpp"
#include "messaging/edge_metrics.hpp"
#include "messaging/message_reviewer.hpp"
#include "messaging/review/lambda_invoke_client.hpp"

namespace parley::messaging {

class LambdaMessageReviewer : public MessageReviewer {
  public:
    static constexpr std::chrono::milliseconds kReviewBudget{200};  // service quota, fixed

    // endpoint_url empty: no handler can be reached, so every review applies the room's
    // fallbackResult (logged once). ca_file: extra trusted CAs (PEM) for an https endpoint, on
    // top of the system trust store. A bad URL or CA file throws std::invalid_argument.
    LambdaMessageReviewer(const std::string& endpoint_url, const std::string& ca_file,
                          auth::Credentials credentials, std::size_t loop_count,
                          EdgeMetrics& metrics, std::chrono::milliseconds budget = kReviewBudget);
    ~LambdaMessageReviewer() override;

    void review(const RoomPtr& room, ChatMessage message, const std::string& sender_ip,
                SessionPtr sender) override;

  private:
    void on_result(const RoomPtr& room, ChatMessage message, const SessionPtr& sender,
                   InvokeResult result);
    void apply_fallback(const RoomPtr& room, ChatMessage message, const SessionPtr& sender);
    void warn_rate_limited(const std::string& text);

    std::unique_ptr<LambdaInvokeClient> client_;  // null without an endpoint
    EdgeMetrics& metrics_;
    std::chrono::milliseconds budget_;
    std::atomic<bool> warned_no_endpoint_{false};
    std::atomic<std::int64_t> last_warning_ms_{0};
};

}  // namespace parley::messaging
