#pragma once
// Helpers shared by the auth unit tests: an owning request that hands out the verifier's view,
// test-data file reading, and the parser for the AWS suite's .req/.sreq format.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "auth/sigv4_verifier.hpp"

namespace parley::auth::test {

struct OwnedRequest {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    HttpRequestView view() const {
        HttpRequestView v{method, target, {}, body};
        for (const auto& [n, val] : headers) v.headers.emplace_back(n, val);
        return v;
    }
    HeaderList header_list() const { return view().headers; }
    void add(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
    void remove(std::string_view lower_name) {
        std::erase_if(headers, [&](const auto& h) {
            std::string n = h.first;
            for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return n == lower_name;
        });
    }
    std::string* find(std::string_view name) {
        for (auto& [n, v] : headers)
            if (n == name) return &v;
        return nullptr;
    }
};

inline std::string read_test_file(const std::string& relative) {
    std::ifstream in(std::string(PARLEY_TEST_DATA) + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("missing test data file " + relative);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// "METHOD target HTTP/1.1\nName:value\n...\n\nbody" (the AWS suite's .req format).
inline OwnedRequest parse_suite_request(const std::string& text) {
    OwnedRequest r;
    std::size_t split = text.find("\n\n");
    std::string head = text.substr(0, split);
    if (split != std::string::npos) r.body = text.substr(split + 2);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    std::size_t sp = line.find(' ');
    std::size_t proto = line.rfind(" HTTP/");
    r.method = line.substr(0, sp);
    r.target = line.substr(sp + 1, proto - sp - 1);
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
            r.headers.back().second += line;  // obsolete line folding
            continue;
        }
        std::size_t colon = line.find(':');
        r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    return r;
}

}  // namespace parley::auth::test
