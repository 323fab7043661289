#include "twiml/parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "twiml_test_support.hpp"

namespace sb::twiml {
namespace {

using test::has_warning;
using test::only_verb;
using test::parse_error;
using test::parse_ok;
using test::response;

// --- Document rules ----------------------------------------------------------------------------

TEST(TwimlParser, AcceptsAnEmptyResponse) {
  const auto document = parse_ok("<Response/>");
  EXPECT_TRUE(document.verbs.empty());
  EXPECT_TRUE(document.warnings.empty());
  EXPECT_TRUE(parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response></Response>\n").verbs.empty());
}

TEST(TwimlParser, ReadsVerbsInDocumentOrder) {
  const auto document = parse_ok(test::read_data("ivr_menu.xml"));
  ASSERT_EQ(document.verbs.size(), 6u);
  EXPECT_EQ(element_name(document.verbs[0]), "Say");
  EXPECT_EQ(element_name(document.verbs[1]), "Gather");
  EXPECT_EQ(element_name(document.verbs[2]), "Say");
  EXPECT_EQ(element_name(document.verbs[3]), "Record");
  EXPECT_EQ(element_name(document.verbs[4]), "Redirect");
  EXPECT_EQ(element_name(document.verbs[5]), "Hangup");
  EXPECT_TRUE(document.warnings.empty()) << document.warnings[0].message;

  EXPECT_EQ(std::get<Say>(document.verbs[0]).text, "Welcome to Example & Co.");
  const auto& gather = std::get<Gather>(document.verbs[1]);
  ASSERT_EQ(gather.children.size(), 3u);
  EXPECT_EQ(std::get<Say>(gather.children[0]).text, "Press 1 for sales, 2 for <support>.");
  EXPECT_EQ(std::get<Say>(gather.children[0]).loop, 2);
  EXPECT_EQ(std::get<Pause>(gather.children[1]).length, std::chrono::seconds(2));
  EXPECT_EQ(std::get<Play>(gather.children[2]).url, "https://cdn.example.com/menu.mp3");
  EXPECT_EQ(std::get<Redirect>(document.verbs[4]).url, "/voice/next?step=2&lang=en");
}

TEST(TwimlParser, MalformedXmlIs12100WithPugixmlDescriptionAndPosition) {
  const auto error = parse_error("<Response>\n  <Say>Hello</Sya>\n</Response>");
  EXPECT_EQ(error.code, Errc::MalformedXml);
  EXPECT_EQ(error.twilio_code(), 12100);
  EXPECT_EQ(error.error_code(), make_error_code(Errc::MalformedXml));
  EXPECT_NE(error.message.find("Start-end tags mismatch"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("line 2"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("offset"), std::string::npos) << error.message;
  EXPECT_GT(error.offset, 10u);
}

TEST(TwimlParser, CommonXmlMistakesAre12100) {
  for (const char* text : {
           "",                                      // no document
           "   \n",                                 // blanks only
           "<!-- only a comment -->",               // no root element
           "<Response>",                            // unclosed
           "<Response><Say>Hi</Response>",          // misnested
           "<Response><Say voice=man>Hi</Say></Response>",  // unquoted attribute
           "<Response></Response><Response/>",      // two roots
           "<Response/>trailing text",              // text outside the root
           "text first<Response/>",                 //
           "<Response><Say a=\"1\" a=\"2\">x</Say></Response>",  // duplicate attribute
           "<Response><Say>a & b</Say></Response>",  // bare ampersand
           "<Response><Redirect>/next?a=1&b=2</Redirect></Response>",
           "<Response><Redirect method=\"GET&\">/x</Redirect></Response>",
           "<Response><Say>&nbsp;</Say></Response>",  // undeclared entity
           "<Response><Say>&#;</Say></Response>",     // empty character reference
           "<Response><Redirect method=\"a<b\">/x</Redirect></Response>",  // '<' in an attribute
           "<Response><Say>\xFF\xFE</Say></Response>",  // not UTF-8
           "<Response><Say>\xC0\xAF</Say></Response>",  // overlong
           "<Response><Say>\xED\xA0\x80</Say></Response>",  // surrogate
           "<Response><Say>\x01</Say></Response>",    // control character
           "<Response><Say>&#1;</Say></Response>",    // control character by reference
           "<Response><Say voice=\"\xE2\x82\">x</Say></Response>",  // truncated sequence
           "<Response><Say>x</Say></Response",      // truncated
       }) {
    EXPECT_EQ(parse_error(text).code, Errc::MalformedXml) << text;
  }
}

TEST(TwimlParser, AcceptsWellFormedEdgeCases) {
  // '&' inside CDATA, comments and processing instructions; '>' in text; quotes of both kinds.
  const auto document = parse_ok(
      "<Response><!-- a & b --><?app x & y?><Say voice='Polly.Joanna' language=\"en-US\">1 > 0 &#x1F600; "
      "<![CDATA[R&D]]></Say><Redirect method='GET'>/x?a=1&amp;b=&quot;2&quot;</Redirect></Response>");
  ASSERT_EQ(document.verbs.size(), 2u);
  EXPECT_EQ(std::get<Say>(document.verbs[0]).text, "1 > 0 \xF0\x9F\x98\x80 R&D");
  EXPECT_EQ(std::get<Redirect>(document.verbs[1]).url, "/x?a=1&b=\"2\"");
  EXPECT_EQ(std::get<Redirect>(document.verbs[1]).method, Method::Get);
  EXPECT_TRUE(parse_ok(response("<Say>tab\there\r\nnext</Say>")).warnings.empty());
}

TEST(TwimlParser, LeadingWhitespaceBeforeXmlDeclarationIs12100) {
  const auto error = parse_error("\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
  EXPECT_EQ(error.code, Errc::MalformedXml);
  EXPECT_EQ(error.offset, 3u);
  EXPECT_NE(error.message.find("whitespace"), std::string::npos);
  EXPECT_EQ(parse_error(" <?xml version=\"1.0\"?><Response/>").code, Errc::MalformedXml);
  EXPECT_EQ(parse_error("\xEF\xBB\xBF <?xml version=\"1.0\"?><Response/>").code, Errc::MalformedXml);
  // A declaration after a comment is not first either.
  EXPECT_EQ(parse_error("<!-- x --><?xml version=\"1.0\"?><Response/>").code, Errc::MalformedXml);
}

TEST(TwimlParser, AcceptsBlanksAroundTheRootWithoutDeclaration) {
  EXPECT_TRUE(parse_ok("\n  <Response/>\n\n").verbs.empty());
  EXPECT_TRUE(parse_ok("\xEF\xBB\xBF<?xml version=\"1.0\"?><Response/>").verbs.empty());
  EXPECT_TRUE(parse_ok("<?xml version=\"1.0\"?>\r\n<Response>\r\n</Response>\r\n").verbs.empty());
}

TEST(TwimlParser, RootOtherThanResponseIs12102) {
  for (const char* text : {"<response/>", "<RESPONSE/>", "<Say>Hello</Say>", "<Twiml><Say>x</Say></Twiml>",
                           "<x:Response xmlns:x=\"urn:x\"/>"}) {
    const auto error = parse_error(text);
    EXPECT_EQ(error.code, Errc::RootNotResponse) << text;
    EXPECT_EQ(error.twilio_code(), 12102);
  }
}

TEST(TwimlParser, InvalidVersionIs12101) {
  EXPECT_EQ(parse_error("<Response version=\"2011-01-01\"/>").twilio_code(), 12101);
  EXPECT_EQ(parse_error("<Response version=\"\"/>").twilio_code(), 12101);
  EXPECT_TRUE(parse_ok("<Response version=\"2010-04-01\"/>").warnings.empty());
  EXPECT_TRUE(parse_ok("<Response version=\"2008-08-01\"/>").warnings.empty());
}

TEST(TwimlParser, NamesAreCaseSensitive) {
  const auto document = parse_ok(response("<say>Hello</say><Say>Hi</Say><SAY>x</SAY>"));
  ASSERT_EQ(document.verbs.size(), 1u);
  EXPECT_EQ(std::get<Say>(document.verbs[0]).text, "Hi");
  ASSERT_EQ(document.warnings.size(), 2u);
  EXPECT_EQ(document.warnings[0].code, Errc::UnknownElement);
  EXPECT_EQ(document.warnings[0].twilio_code(), 12200);

  const auto attributes = parse_ok(response("<Say Voice=\"woman\" loop=\"2\">Hi</Say>"));
  EXPECT_FALSE(only_verb<Say>(attributes).voice.has_value());
  EXPECT_EQ(only_verb<Say>(attributes).loop, 2);
  ASSERT_EQ(attributes.warnings.size(), 1u);
  EXPECT_EQ(attributes.warnings[0].code, Errc::UnknownAttribute);
  EXPECT_NE(attributes.warnings[0].message.find("Voice"), std::string::npos);
}

TEST(TwimlParser, UnknownVerbIsSkippedWithA12200Warning) {
  const auto document = parse_ok(response("<Say>one</Say><Dance steps=\"3\"><Say>x</Say></Dance><Say>two</Say>"));
  ASSERT_EQ(document.verbs.size(), 2u);
  EXPECT_EQ(std::get<Say>(document.verbs[1]).text, "two");
  ASSERT_EQ(document.warnings.size(), 1u);
  EXPECT_EQ(document.warnings[0].code, Errc::UnknownElement);
  EXPECT_NE(document.warnings[0].message.find("<Dance>"), std::string::npos);
  EXPECT_NE(document.warnings[0].message.find("line 1"), std::string::npos);
}

TEST(TwimlParser, UnknownAttributeIsIgnoredWithA12200Warning) {
  const auto document = parse_ok(response("<Pause length=\"3\" colour=\"blue\"/>"));
  EXPECT_EQ(only_verb<Pause>(document).length, std::chrono::seconds(3));
  ASSERT_EQ(document.warnings.size(), 1u);
  EXPECT_EQ(document.warnings[0].code, Errc::UnknownAttribute);
  EXPECT_EQ(document.warnings[0].twilio_code(), 12200);
}

TEST(TwimlParser, NounAtTopLevelIsInvalidNesting) {
  const auto document = parse_ok(response("<Sip>sip:a@example.com</Sip><Number>+15551234567</Number>"));
  EXPECT_TRUE(document.verbs.empty());
  ASSERT_EQ(document.warnings.size(), 2u);
  EXPECT_EQ(document.warnings[0].code, Errc::InvalidNesting);
  EXPECT_EQ(document.warnings[1].code, Errc::InvalidNesting);
}

TEST(TwimlParser, TextBetweenVerbsIsAWarning) {
  const auto document = parse_ok(response("Hello<Hangup/>"));
  EXPECT_EQ(document.verbs.size(), 1u);
  EXPECT_TRUE(has_warning(document, Errc::UnexpectedText));
}

TEST(TwimlParser, IgnoresXmlnsAttributes) {
  const auto document = parse_ok("<Response xmlns=\"http://www.twilio.com/\" xmlns:x=\"urn:x\"><Hangup/></Response>");
  EXPECT_TRUE(document.warnings.empty());
}

TEST(TwimlParser, HonoursCommentsCdataAndEntities) {
  const auto document = parse_ok(response(
      "<!-- greeting --><Say>caf&#233; &lt;&gt; &quot;&apos; &#x41;<!-- inner --> <![CDATA[& <raw>]]></Say>"
      "<?ignored processing instruction?><Redirect>next?a=1&amp;b=2</Redirect>"));
  ASSERT_EQ(document.verbs.size(), 2u);
  EXPECT_EQ(std::get<Say>(document.verbs[0]).text, "caf\xC3\xA9 <> \"' A & <raw>");
  EXPECT_EQ(std::get<Redirect>(document.verbs[1]).url, "next?a=1&b=2");
  EXPECT_TRUE(document.warnings.empty());
}

TEST(TwimlParser, ConvertsDeclaredLatin1ToUtf8) {
  const auto document =
      parse_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Response><Say>caf\xE9</Say></Response>");
  EXPECT_EQ(only_verb<Say>(document).text, "caf\xC3\xA9");
}

TEST(TwimlParser, DoesNotExpandDoctypeEntities) {
  const auto document = parse_ok("<!DOCTYPE Response [<!ENTITY boom \"BOOM\">]><Response><Say>&boom;</Say></Response>");
  EXPECT_EQ(only_verb<Say>(document).text, "&boom;");
}

TEST(TwimlParser, RefusesDocumentsOver64KiB) {
  std::string text = "<Response><Say>";
  text.append(kMaxDocumentSize, 'a');
  text += "</Say></Response>";
  const auto error = parse_error(text);
  EXPECT_EQ(error.code, Errc::DocumentTooLarge);
  EXPECT_EQ(error.twilio_code(), 11750);
  EXPECT_NE(error.message.find("65536"), std::string::npos) << error.message;

  const std::string exact = "<Response><Say>" + std::string(kMaxDocumentSize - 32, 'b') + "</Say></Response>";
  ASSERT_EQ(exact.size(), kMaxDocumentSize);
  EXPECT_EQ(only_verb<Say>(parse_ok(exact)).text.size(), kMaxDocumentSize - 32);

  EXPECT_EQ(parse_error("<Response/>", ParseOptions{.max_document_size = 5}).code, Errc::DocumentTooLarge);
}

TEST(TwimlParser, BoundsNestingDepth) {
  std::string deep = "<Response><Say>";
  for (int i = 0; i < 40; ++i) deep += "<emphasis>";
  deep += "x";
  for (int i = 0; i < 40; ++i) deep += "</emphasis>";
  deep += "</Say></Response>";
  const auto error = parse_error(deep);
  EXPECT_EQ(error.code, Errc::MalformedXml);
  EXPECT_NE(error.message.find("deeper"), std::string::npos);
  EXPECT_EQ(only_verb<Say>(parse_ok(deep, ParseOptions{.max_depth = 64})).text, "x");

  // Very deep input (pugixml parses iteratively; the check walks iteratively).
  std::string abyss;
  for (int i = 0; i < 9000; ++i) abyss += "<a>";
  for (int i = 0; i < 9000; ++i) abyss += "</a>";
  EXPECT_EQ(parse_error(abyss).code, Errc::MalformedXml);
}

TEST(TwimlParser, RefusesNulBytes) {
  const std::string text("<Response><Say>a\0b</Say></Response>", 35);
  EXPECT_EQ(parse_error(text).code, Errc::MalformedXml);
}

TEST(TwimlParser, KeepsRecognisedButUnsupportedVerbs) {
  const auto document = parse_ok(response("<Enqueue waitUrl=\"/wait\">support</Enqueue><Leave/><Connect><Stream url=\"wss://x\"/></Connect>"));
  ASSERT_EQ(document.verbs.size(), 3u);
  EXPECT_EQ(std::get<Unsupported>(document.verbs[0]).name, "Enqueue");
  EXPECT_EQ(element_name(document.verbs[1]), "Leave");
  EXPECT_EQ(element_name(document.verbs[2]), "Connect");
  EXPECT_TRUE(document.warnings.empty());
}

TEST(TwimlParser, CapsTheWarningList) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += "<Bogus/>";
  const auto document = parse_ok(response(body), ParseOptions{.max_warnings = 10});
  EXPECT_EQ(document.warnings.size(), 10u);
  EXPECT_EQ(document.suppressed_warnings, 90u);
}

TEST(TwimlParser, WarnAndUseDefaultPolicyKeepsTheDocument) {
  const ParseOptions lenient{.invalid_values = InvalidValuePolicy::WarnAndUseDefault};
  const auto document = parse_ok(response("<Pause length=\"soon\"/><Reject reason=\"later\"/><Play/>"), lenient);
  ASSERT_EQ(document.verbs.size(), 2u);  // <Play/> has nothing to play: dropped
  EXPECT_EQ(std::get<Pause>(document.verbs[0]).length, std::chrono::seconds(1));
  EXPECT_EQ(std::get<Reject>(document.verbs[1]).reason, RejectReason::Rejected);
  ASSERT_EQ(document.warnings.size(), 3u);
  EXPECT_EQ(document.warnings[0].twilio_code(), 13910);
  EXPECT_EQ(document.warnings[1].twilio_code(), 13810);
  EXPECT_EQ(document.warnings[2].twilio_code(), 12200);
}

TEST(TwimlParser, ReportsTheFirstInvalidValue) {
  const auto error = parse_error(response("<Say>ok</Say>\n<Pause length=\"0\"/>\n<Reject reason=\"x\"/>"));
  EXPECT_EQ(error.code, Errc::PauseInvalidLength);
  EXPECT_NE(error.message.find("line 2"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("<Pause>"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("length=\"0\""), std::string::npos) << error.message;
}

TEST(TwimlParser, ValueThrowsSystemErrorOnFailure) {
  auto result = parse("<response/>");
  ASSERT_FALSE(result);
  try {
    (void)result.value();
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::RootNotResponse));
  }
}

TEST(TwimlParser, ScreeningDocumentsMayNotDial) {
  const auto screening = parse_ok(response("<Gather numDigits=\"1\"><Say>Press 1 to accept</Say></Gather><Hangup/>"));
  EXPECT_TRUE(validate_screening(screening));
  const auto dialing = parse_ok(response("<Say>Transferring</Say><Dial>+15551234567</Dial>"));
  const auto result = validate_screening(dialing);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), make_error_code(Errc::DialInScreeningDocument));
  EXPECT_EQ(twilio_code(result.error()), 13201);
}

// STYLE.md: the unit tests replay the fuzz corpus (seeds and named crash reproducers).
TEST(TwimlParser, ReplaysTheFuzzCorpus) {
  const auto corpus = std::filesystem::path(SB_TEST_DATA_DIR) / ".." / ".." / "fuzz" / "corpus" / "twiml_parser";
  if (!std::filesystem::is_directory(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto policy : {InvalidValuePolicy::Reject, InvalidValuePolicy::WarnAndUseDefault}) {
      const auto result = parse(text, ParseOptions{.invalid_values = policy});
      if (!result) {
        EXPECT_NE(result.error().twilio_code(), 0) << entry.path();
      }
    }
    ++files;
  }
  EXPECT_GT(files, 0u);
}

// Random mutations of a valid document: never a crash, always a document or an error.
TEST(TwimlParser, SurvivesMutatedInput) {
  const std::string seed = test::read_data("ivr_menu.xml") + test::read_data("sip_example4_dial_attributes.xml");
  std::mt19937 random(12345);
  const std::string alphabet = "<>/=\"'&;#!?[]-x \n\0";
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed;
    const int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const auto at = random() % text.size();
      switch (random() % 3) {
        case 0: text[at] = alphabet[random() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + random() % 16); break;
        default: text.insert(at, text.substr(random() % text.size(), random() % 32)); break;
      }
    }
    const auto result = parse(text);
    if (!result) {
      EXPECT_NE(result.error().twilio_code(), 0);
    }
  }
}

}  // namespace
}  // namespace sb::twiml
