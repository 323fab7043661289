#pragma once
// Internal to src/twiml: one function per verb or noun, each reading one element into its struct.
// They return none when the element is dropped (an error under InvalidValuePolicy::Reject, which
// the Context then holds, or a warning under WarnAndUseDefault).

#include <pugixml.hpp>

#include <optional>

#include "twiml/document.hpp"
#include "twiml/element_reader.hpp"

namespace sb::twiml::detail {

// A child of <Response>: any verb; unknown names and misplaced nouns are warned about.
std::optional<Verb> parse_verb(Context& context, pugi::xml_node node);

std::optional<Say> parse_say(Context& context, pugi::xml_node node);
std::optional<Play> parse_play(Context& context, pugi::xml_node node);
std::optional<Pause> parse_pause(Context& context, pugi::xml_node node);
std::optional<Gather> parse_gather(Context& context, pugi::xml_node node);
std::optional<Record> parse_record(Context& context, pugi::xml_node node);
std::optional<Hangup> parse_hangup(Context& context, pugi::xml_node node);
std::optional<Reject> parse_reject(Context& context, pugi::xml_node node);
std::optional<Redirect> parse_redirect(Context& context, pugi::xml_node node);

// dial_parser.cpp
std::optional<Dial> parse_dial(Context& context, pugi::xml_node node);
std::optional<Refer> parse_refer(Context& context, pugi::xml_node node);
std::optional<Sip> parse_sip(Context& context, pugi::xml_node node);
std::optional<Number> parse_number(Context& context, pugi::xml_node node);
std::optional<Client> parse_client(Context& context, pugi::xml_node node);
std::optional<Conference> parse_conference(Context& context, pugi::xml_node node);

}  // namespace sb::twiml::detail
