#include "nc2zarr/pipeline/run_state.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "nc2zarr/base/base64.h"

namespace nc2zarr {

std::size_t RunState::resumed_chunks() const { return static_cast<std::size_t>(std::count(done.begin(), done.end(), true)); }

std::string RunStateToText(const RunState& state) {
  // The done flags travel as a bitmap: a million chunks cost 125 kB.
  std::vector<std::byte> bits((state.done.size() + 7) / 8);
  for (std::size_t i = 0; i < state.done.size(); ++i) {
    if (state.done[i]) bits[i / 8] |= static_cast<std::byte>(1u << (i % 8));
  }
  nlohmann::json j = {{"plan", state.plan_json},         {"fingerprint", state.fingerprint},
                      {"run_id", state.run_id},           {"complete", state.complete},
                      {"chunks", state.done.size()},      {"done", Base64Encode(bits)},
                      {"sessions", state.sessions}};
  return j.dump();
}

Result<RunState> RunStateFromText(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Internal("malformed run state");
  try {
    RunState state;
    state.plan_json = j.at("plan").get<std::string>();
    state.fingerprint = j.at("fingerprint").get<std::string>();
    state.run_id = j.at("run_id").get<std::string>();
    state.complete = j.at("complete").get<bool>();
    state.sessions = j.at("sessions").get<std::map<std::string, std::string>>();
    auto bits = Base64Decode(j.at("done").get<std::string>());
    if (!bits) return Internal("malformed run state");
    state.done.resize(j.at("chunks").get<std::size_t>());
    for (std::size_t i = 0; i < state.done.size(); ++i) {
      state.done[i] = (static_cast<unsigned>((*bits)[i / 8]) >> (i % 8)) & 1u;
    }
    return state;
  } catch (const nlohmann::json::exception& e) {
    return Internal(std::string("malformed run state: ") + e.what());
  }
}

}  // namespace nc2zarr
