// See document_limits.h. Both checks are bounded by budgets, so they finish on any input.
#include "dltrain/config/document_limits.h"

#include "dltrain/config/origin.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace dltrain::config {
namespace {

// Every event of a well-formed document consumes at least one character of it.
class EventBudget : public YAML::EventHandler {
 public:
  struct Exhausted {};  // thrown through the parser to stop it
  explicit EventBudget(std::size_t budget) : budget_(budget) {}
  const YAML::Mark& last() const { return last_; }

  void OnDocumentStart(const YAML::Mark& mark) override { count(mark); }
  void OnDocumentEnd() override { count(last_); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnSequenceEnd() override { count(last_); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnMapEnd() override { count(last_); }

 private:
  void count(const YAML::Mark& mark) {
    last_ = mark;
    if (++events_ > budget_) throw Exhausted{};
  }

  std::size_t budget_, events_ = 0;
  YAML::Mark last_ = YAML::Mark::null_mark();
};

}  // namespace

void check_parser_terminates(const std::string& text, const std::string& source) {
  EventBudget handler(2 * text.size() + 16);
  std::istringstream stream(text);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (const EventBudget::Exhausted&) {
    const YAML::Mark at = handler.last();
    fail(Origin{source, at.line, at.column}, "",
         "invalid YAML: the parser stopped making progress here (a broken flow collection?)");
  } catch (const YAML::Exception&) {
    // A syntax error: LoadAll reports it with yaml-cpp's own message and position.
  }
}

void check_expanded_size(const YAML::Node& root, const std::string& source) {
  constexpr std::size_t kMaxNodes = 100'000;
  std::vector<YAML::Node> pending{root};
  std::size_t seen = 0;
  while (!pending.empty()) {
    const YAML::Node node = pending.back();
    pending.pop_back();
    if (++seen > kMaxNodes)
      fail(Origin{source}, "",
           fmt::format("the config expands to more than {} YAML nodes (anchors and aliases repeat a subtree); "
                       "expected a config of ordinary size", kMaxNodes));
    if (node.IsSequence()) {
      for (const auto& item : node) pending.push_back(item);
    } else if (node.IsMap()) {
      for (const auto& item : node) {
        pending.push_back(item.first);
        pending.push_back(item.second);
      }
    }
  }
}

}  // namespace dltrain::config
