import ArgumentParser
import HXCore

/// `--data`, `--json`, `--form`: one kind of body, from text, `@file` or `@-` (stdin).
struct BodyOptions: ParsableArguments {
    @Option(name: [.customShort("d"), .customLong("data")],
            help: ArgumentHelp("Body as is (Content-Type: application/x-www-form-urlencoded, as in curl).", valueName: "text|@file|@-"))
    var data: String?

    @Option(help: ArgumentHelp("JSON body (Content-Type and Accept: application/json).", valueName: "text|@file|@-"))
    var json: String?

    @Option(name: [.customShort("F"), .customLong("form")],
            help: ArgumentHelp("multipart/form-data field, repeatable, as in curl; @file sends a file part (streamed), @- stdin. For urlencoded use -d 'a=1&b=2'.", valueName: "name=value"))
    var form: [String] = []

    func spec() throws(HXFailure) -> BodySpec? {
        try BodySpec(data: data, json: json, form: form)
    }
}
