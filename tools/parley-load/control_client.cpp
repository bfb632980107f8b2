#include "control_client.hpp"

#include <functional>
#include <stdexcept>

#include "model/clock_format.hpp"
#include "model/json_codec.hpp"
#include "model/value.hpp"

namespace parley::load {

using model::Value;

ControlClient::ControlClient(Endpoint api, RequestSigner signer, boost::asio::ip::address_v4 source)
    : api_(std::move(api)), signer_(std::move(signer)), source_(source) {}

std::string signed_post(RequestSigner& signer, const Endpoint& api, std::string_view path,
                        std::string_view body) {
    auto headers = signer.sign("POST", path, api.host_header, body, model::now_millis() / 1000);
    std::string out;
    out.reserve(512 + body.size());
    out.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(api.host_header);
    out.append("\r\nContent-Type: application/json\r\nContent-Length: ");
    out.append(std::to_string(body.size())).append("\r\n");
    for (const auto& [k, v] : headers) out.append(k).append(": ").append(v).append("\r\n");
    out.append("\r\n").append(body);
    return out;
}

std::string ControlClient::token_request_body(const std::string& room_arn,
                                              const std::string& user_id) {
    Value body = Value::structure();
    body.set("roomIdentifier", room_arn);
    body.set("userId", user_id);
    body.set("capabilities", Value::string_list({"SEND_MESSAGE"}));
    body.set("sessionDurationInMinutes", 180);
    return model::to_json(body);
}

std::vector<HttpResponse> ControlClient::run_batch(const std::vector<std::string>& wires,
                                                   std::size_t concurrency,
                                                   std::chrono::seconds timeout) {
    std::vector<HttpResponse> results(wires.size());
    std::size_t next = 0;
    bool stopped = false;
    std::vector<std::shared_ptr<HttpConnection>> conns;
    std::function<void(const std::shared_ptr<HttpConnection>&)> pump =
        [&](const std::shared_ptr<HttpConnection>& c) {
            if (stopped || next >= wires.size()) return;
            std::size_t i = next++;
            auto wire = std::make_shared<const std::string>(wires[i]);
            c->request(wire, [&, c, i, wire](const HttpResponse& r) {
                results[i] = r;
                pump(c);
            });
        };
    for (std::size_t k = 0; k < std::min(concurrency, wires.size()); ++k) {
        conns.push_back(std::make_shared<HttpConnection>(io_, api_, source_));
        pump(conns.back());
    }
    io_.restart();
    io_.run_for(timeout);
    stopped = true;  // nothing new may start once the batch is over
    for (auto& c : conns) c->close();
    io_.restart();
    io_.poll();  // let the closed connections' handlers run while `results` is
                 // still alive
    return results;
}

std::string ControlClient::create_room(const std::string& name, int max_message_rate) {
    Value body = Value::structure();
    body.set("name", name);
    body.set("maximumMessageRatePerSecond", max_message_rate);
    body.set("maximumMessageLength", 500);
    auto r = run_batch({signed_request("/CreateRoom", model::to_json(body))}, 1,
                       std::chrono::seconds(10))[0];
    if (r.status != 200)
        throw std::runtime_error("CreateRoom answered " + std::to_string(r.status) + ": " + r.body);
    auto parsed = model::parse_json(r.body);
    const Value* arn = parsed.value ? parsed.value->find("arn") : nullptr;
    if (!arn || arn->kind() != Value::Kind::String)
        throw std::runtime_error("CreateRoom response has no arn: " + r.body);
    return arn->as_string();
}

void ControlClient::delete_room(const std::string& arn) {
    Value body = Value::structure();
    body.set("identifier", arn);
    auto r = run_batch({signed_request("/DeleteRoom", model::to_json(body))}, 1,
                       std::chrono::seconds(10))[0];
    if (r.status != 204 && r.status != 200)
        throw std::runtime_error("DeleteRoom answered " + std::to_string(r.status) + ": " + r.body);
}

std::vector<std::string> ControlClient::mint_tokens(const std::string& room_arn,
                                                    const std::string& prefix, std::size_t first,
                                                    std::size_t count, std::size_t concurrency) {
    std::vector<std::string> wires;
    wires.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        wires.push_back(signed_request(
            "/CreateChatToken", token_request_body(room_arn, prefix + std::to_string(first + i))));
    // Generous: minting must not be what bounds a run, but a run must stop by
    // itself.
    auto timeout = std::chrono::seconds(30 + count / 500);
    auto responses = run_batch(wires, concurrency, timeout);
    std::vector<std::string> tokens;
    tokens.reserve(count);
    for (const auto& r : responses) {
        if (r.status != 200)
            throw std::runtime_error("CreateChatToken answered " + std::to_string(r.status) + ": " +
                                     r.body);
        auto parsed = model::parse_json(r.body);
        const Value* token = parsed.value ? parsed.value->find("token") : nullptr;
        if (!token || token->kind() != Value::Kind::String)
            throw std::runtime_error("CreateChatToken response has no token: " + r.body);
        tokens.push_back(token->as_string());
    }
    return tokens;
}

}  // namespace parley::load
