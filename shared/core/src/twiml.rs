//! TwiML, the XML Twilio runs on a call or answers an SMS with, written by quick-xml so that
//! every text and attribute is escaped (a lead named `Tom <Dial>` stays text).

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;

/// What a call says and does, verb by verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb<'a> {
    /// Speaks the text.
    Say(&'a str),
    /// Speaks `prompt` while waiting for one key; the key is POSTed to `action`.
    GatherOneDigit {
        action: &'a str,
        prompt: Vec<Verb<'a>>,
    },
    /// Connects the call to this number.
    Dial(&'a str),
    /// Rings `number` for `timeout` seconds; how it ended (`DialCallStatus`) is POSTed to
    /// `action`, whose TwiML the caller hears next.
    DialNumber {
        number: &'a str,
        timeout: u32,
        action: &'a str,
    },
    /// Records a message after a beep (at most `max_seconds`).
    Record {
        max_seconds: u32,
    },
    /// Sends an SMS in answer to one (the webhook's reply).
    Message(&'a str),
    Hangup,
}

/// A `<Response>` of `verbs`.
pub fn response(verbs: &[Verb<'_>]) -> String {
    let mut writer = Writer::new(Vec::new());
    // Writing to a Vec cannot fail.
    write_response(&mut writer, verbs).expect("writing TwiML to memory");
    String::from_utf8(writer.into_inner()).expect("TwiML is built from UTF-8 text")
}

fn write_response(writer: &mut Writer<Vec<u8>>, verbs: &[Verb<'_>]) -> io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer.create_element("Response").write_inner_content(|w| write_verbs(w, verbs))?;
    Ok(())
}

fn write_verbs(writer: &mut Writer<Vec<u8>>, verbs: &[Verb<'_>]) -> io::Result<()> {
    for verb in verbs {
        match verb {
            Verb::Say(text) => writer.create_element("Say").write_text_content(BytesText::new(text)).map(drop)?,
            Verb::Message(text) => {
                writer.create_element("Message").write_text_content(BytesText::new(text)).map(drop)?
            }
            Verb::Dial(number) => writer.create_element("Dial").write_text_content(BytesText::new(number)).map(drop)?,
            Verb::DialNumber { number, timeout, action } => writer
                .create_element("Dial")
                .with_attribute(("timeout", timeout.to_string().as_str()))
                .with_attribute(("action", *action))
                .with_attribute(("method", "POST"))
                .write_inner_content(|w| {
                    w.create_element("Number").write_text_content(BytesText::new(number)).map(drop)
                })
                .map(drop)?,
            Verb::Record { max_seconds } => writer
                .create_element("Record")
                .with_attribute(("maxLength", max_seconds.to_string().as_str()))
                .with_attribute(("playBeep", "true"))
                .write_empty()
                .map(drop)?,
            Verb::GatherOneDigit { action, prompt } => writer
                .create_element("Gather")
                .with_attribute(("numDigits", "1"))
                .with_attribute(("action", *action))
                .with_attribute(("method", "POST"))
                .write_inner_content(|w| write_verbs(w, prompt))
                .map(drop)?,
            Verb::Hangup => writer.create_element("Hangup").write_empty().map(drop)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_so_a_message_cannot_add_verbs() {
        let twiml = response(&[Verb::GatherOneDigit {
            action: "https://x.test/gather?lead=ld_1&touch=tc_2",
            prompt: vec![Verb::Say("Hi Tom <Dial>+1900</Dial> & \"Jerry\"")],
        }]);
        assert_eq!(
            twiml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\
             <Gather numDigits=\"1\" action=\"https://x.test/gather?lead=ld_1&amp;touch=tc_2\" method=\"POST\">\
             <Say>Hi Tom &lt;Dial&gt;+1900&lt;/Dial&gt; &amp; &quot;Jerry&quot;</Say></Gather></Response>"
        );
    }

    #[test]
    fn a_forwarded_call_rings_the_office_with_its_action() {
        let twiml = response(&[Verb::DialNumber {
            number: "+14155550123",
            timeout: 20,
            action: "https://x.test/done?a=1&b=2",
        }]);
        assert_eq!(
            twiml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\
             <Dial timeout=\"20\" action=\"https://x.test/done?a=1&amp;b=2\" method=\"POST\"><Number>+14155550123</Number></Dial>\
             </Response>"
        );
        assert!(
            response(&[Verb::Record { max_seconds: 120 }]).contains("<Record maxLength=\"120\" playBeep=\"true\"/>")
        );
    }

    #[test]
    fn an_empty_response_and_simple_verbs() {
        assert_eq!(response(&[]), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
        assert_eq!(
            response(&[Verb::Dial("+14155550100"), Verb::Hangup]),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial>+14155550100</Dial><Hangup/></Response>"
        );
    }
}
