// HTMLStyle: the report's one inline stylesheet. Screen colours help; print is black on white with every
// section on its own page, and every colour also has a text or shape equivalent (legend, <title>, "NOT MET"),
// so a greyscale printout loses nothing.
enum HTMLStyle {
    static let css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; background: #fff; margin: 2em auto; max-width: 60em; padding: 0 1em; }
        h1 { font-size: 1.6em; margin-bottom: .2em; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 2em; }
        table { border-collapse: collapse; margin: .6em 0; max-width: 100%; }
        th, td { border: 1px solid #bbb; padding: .25em .6em; text-align: left; vertical-align: top; overflow-wrap: break-word; }
        #drill-runs td:nth-child(1), #drill-runs td:nth-child(4) { overflow-wrap: anywhere; }
        th { background: #f2f2f2; }
        table.facts th { font-weight: 600; white-space: nowrap; }
        #objective-verdicts, #drill-runs { width: 100%; }
        #drill-runs { font-size: .9em; }
        h2#objectives, h2#reasons { margin-top: 1.2em; }
        td.bad { font-weight: bold; color: #a40000; }
        .banner { border: 3px solid; padding: .8em 1em; margin: 1em 0; }
        .banner.compliant { border-color: #1a7f37; background: #e8f5ec; }
        .banner.noncompliant { border-color: #a40000; background: #fdecec; }
        .banner.insufficient { border-color: #8a6d00; background: #fff8e1; }
        .banner strong { font-size: 1.3em; }
        .meta { color: #444; }
        figure { margin: 1em 0; }
        figcaption { font-size: .9em; color: #333; }
        svg { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
        .legend span { display: inline-block; margin-right: 1.2em; }
        .swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #555; vertical-align: middle; margin-right: .3em; }
        @page { size: A4; margin: 14mm 12mm; }
        @media print {
          body { color: #000; background: #fff; margin: 0; max-width: none; font-size: 11pt; }
          .banner.compliant, .banner.noncompliant, .banner.insufficient { background: #fff; border-color: #000; }
          section { page-break-before: always; break-before: page; }
          section.first { page-break-before: auto; break-before: auto; }
          figure, table { page-break-inside: avoid; break-inside: avoid; }
          td.bad { color: #000; }
          th { background: #fff; }
        }
        """
}
