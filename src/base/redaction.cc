#include "nc2zarr/base/redaction.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

#include "nc2zarr/base/percent_encoding.h"

namespace nc2zarr {
namespace {

constexpr char kRedacted[] = "[redacted]";

// Characters a token is made of, and '%' of its form-encoded spelling.
bool IsTokenChar(unsigned char c) { return std::isalnum(c) || std::strchr("-._~+/=%", c) != nullptr; }

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// How JSON may spell text: '/' as "\/".
std::string JsonEscapedSlashes(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '/' ? std::string("\\/") : std::string(1, c);
  return out;
}

void ReplaceAll(std::string& text, const std::string& secret) {
  if (secret.empty()) return;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + sizeof kRedacted - 1)) {
    text.replace(at, secret.size(), kRedacted);
  }
}

// Redacts the token-shaped run that starts at `from` in text if it has at
// least `shortest` characters.
std::size_t RedactRunAt(std::string& text, std::size_t from, std::size_t shortest) {
  auto end = from;
  while (end < text.size() && IsTokenChar(static_cast<unsigned char>(text[end]))) ++end;
  if (end == from || end - from < shortest) return from;
  text.replace(from, end - from, kRedacted);
  return from + sizeof kRedacted - 1;
}

// After each marker (found case-insensitively) and its separators, redact
// the value: "Bearer ya29...", "refresh_token=1%2F%2F...",
// "\"access_token\": \"...\"". A key needs '=' or ':' after it, so plain
// words ("assertion format") stay.
void RedactAfter(std::string& text, const std::string& marker, bool is_key) {
  std::string lower = Lower(text);
  for (auto at = lower.find(marker); at != std::string::npos; at = lower.find(marker, at + 1)) {
    auto value = at + marker.size();
    bool assigned = false;
    while (value < text.size() && std::strchr(" \"':=", text[value]) != nullptr) {
      assigned = assigned || text[value] == '=' || text[value] == ':';
      ++value;
    }
    if (value == at + marker.size() || (is_key && !assigned)) continue;
    // Only token-long values: real tokens are far longer than the words and
    // object names ("bkt/exp1/bearer data/tas") messages also hold; the
    // request's own token is redacted by value whatever its length.
    constexpr std::size_t kShortestToken = 20;
    if (RedactRunAt(text, value, kShortestToken) != value) lower = Lower(text);
  }
}

// Tokens by their shape: Google access tokens ("ya29.") and refresh
// tokens ("1//", form-encoded "1%2F%2F").
void RedactShaped(std::string& text, const std::string& prefix) {
  std::string lower = Lower(text);
  for (auto at = lower.find(prefix); at != std::string::npos; at = lower.find(prefix, at + 1)) {
    RedactRunAt(text, at, prefix.size() + 1);
    lower = Lower(text);
  }
}

}  // namespace

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    ReplaceAll(text, secret);
    ReplaceAll(text, PercentEncode(secret, true));
    ReplaceAll(text, PercentEncode(secret, false));
    ReplaceAll(text, JsonEscapedSlashes(secret));
  }
  RedactAfter(text, "bearer", false);
  for (const char* key : {"access_token", "refresh_token", "client_secret", "assertion", "id_token", "private_key"}) {
    RedactAfter(text, key, true);
  }
  for (const char* prefix : {"ya29.", "1//", "1%2f%2f", "1\\/\\/"}) RedactShaped(text, prefix);
  return text;
}

std::string DecodedForRedaction(std::string body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_discarded()) return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '&') {
      const auto end = body.find(';', i);
      if (end != std::string::npos && end - i <= 10) {
        const std::string name = body.substr(i + 1, end - i - 1);
        static const std::pair<const char*, char> kNamed[] = {
            {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
        bool decoded = false;
        for (const auto& [entity, c] : kNamed) {
          if (name == entity) {
            out += c;
            decoded = true;
          }
        }
        if (!decoded && name.size() > 1 && name[0] == '#') {
          const bool hex = name[1] == 'x' || name[1] == 'X';
          const long code = std::strtol(name.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
          if (code > 0 && code < 0x80) {
            out += static_cast<char>(code);
            decoded = true;
          }
        }
        if (decoded) {
          i = end;
          continue;
        }
      }
    }
    out += body[i];
  }
  return out;
}

std::string ServerTextForMessage(std::string text, const std::vector<std::string>& secrets) {
  text = RedactSecrets(std::move(text), secrets);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = ' ';
  }
  constexpr std::size_t kMax = 200;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace nc2zarr
