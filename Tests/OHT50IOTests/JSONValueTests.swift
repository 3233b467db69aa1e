import FoundationEssentials
import OHT50Client
import Testing

/// How `oht50d status`, `reset` and `events` read the daemon's JSON (JSONValue, issue 30).
@Suite("JSONValue")
struct JSONValueTests {
    @Test("members, lists, integers, fractions, booleans and null read as sent; a missing member is nil all the way down")
    func readsTheDaemonsJSON() throws {
        let text =
            #"{"state":"latched","id":9007199254740993,"in_state_ms":1500,"voltage":{"value":24.1,"unit":"V"},"#
            + #""causes":["estop","comm_loss"],"ok":true,"last_trip":null}"#
        let value = try #require(JSONValue.parse(Data(text.utf8)))
        #expect(value["state"]?.string == "latched")
        #expect(value["id"]?.int64 == 9_007_199_254_740_993)  // beyond a Double's exact range
        #expect(value["in_state_ms"]?.int == 1500)
        #expect(value["in_state_ms"]?.double == 1500)
        #expect(value["voltage"]["value"]?.double == 24.1)
        #expect(value["voltage"]["value"]?.display == "24.1")
        #expect(value["causes"]?.strings == ["estop", "comm_loss"])
        #expect(value["ok"]?.bool == true)
        #expect(value["last_trip"] == JSONValue.null)
        #expect(value["nothing"]["deeper"] == nil)
        #expect(value["state"]?.int == nil)
        #expect(JSONValue.parse(Data("not json".utf8)) == nil)
    }

    @Test("printed back as one line with sorted keys and integers kept, as `oht50d events --json` prints")
    func printsSortedCompactJSON() throws {
        let value = try #require(JSONValue.parse(Data(#"{"b":1,"a":{"path":"/dev/ttyS1","x":[true,null,2.5]},"id":42}"#.utf8)))
        #expect(value.text == #"{"a":{"path":"/dev/ttyS1","x":[true,null,2.5]},"b":1,"id":42}"#)
    }
}
