### CASM Embed: the widget's texts in Swahili (sw).

kind-online-resource = Rasilimali ya mtandaoni
kind-report = Ripoti
kind-toolkit = Zana
kind-presentation = Wasilisho
kind-photo-set = Mkusanyiko wa picha
kind-video = Video
kind-event = Tukio
loading = Inapakia…
not-found = Rasilimali hii haipatikani.
unreachable = Huduma ya CASM haipatikani. Tafadhali jaribu tena baadaye.
stale = Huduma haipatikani: hii ni nakala iliyohifadhiwa awali na huenda imepitwa na wakati.
failed = Maudhui haya hayakuweza kupakiwa: { $reason }.
retry = Jaribu tena
empty = Hakuna rasilimali zilizopatikana.
page-information = Taarifa za ukurasa
popularity = Umaarufu
rank-value = { $total ->
    [one] #{ $rank } kati ya kipengee { $total }
   *[other] #{ $rank } kati ya vipengee { $total }
}
not-ranked = Haijapangwa
helpful-votes = Kura za manufaa
page-views = Kutazamwa kwa ukurasa
pages-emailed = Kurasa zilizotumwa kwa barua pepe
metacard-views = Kutazamwa kwa kadi ya maelezo
attachments-downloaded = Viambatisho vilivyopakuliwa
relationships-and-highlights = Mahusiano na mambo muhimu
videos-downloaded = Video zilizopakuliwa
date-created = Tarehe ya kuundwa
date-modified = Tarehe ya kubadilishwa
version-comment = Maoni ya toleo
no-comment = Hakuna
partners = Washirika: { $names }
list-separator = { ", " }
links = Viungo
vote-prompt = Je, ukurasa huu umekusaidia?
vote = Inasaidia
vote-done = { $n ->
    [one] Asante kwa kura yako. Ukurasa huu una kura { $n } ya manufaa.
   *[other] Asante kwa kura yako. Ukurasa huu una kura { $n } za manufaa.
}
vote-removed = { $n ->
    [one] Kura yako imeondolewa. Ukurasa huu una kura { $n } ya manufaa.
   *[other] Kura yako imeondolewa. Ukurasa huu una kura { $n } za manufaa.
}
vote-failed = Kura yako haikuweza kuhifadhiwa: { $reason }.
email-page = Tuma ukurasa huu kwa barua pepe
submit-comments = Tuma maoni yako
feedback-text = Maoni yako
feedback-contact = Barua pepe au jina lako (si lazima)
feedback-send = Tuma
feedback-cancel = Ghairi
feedback-sending = Inatuma…
feedback-sent = Asante, maoni yako yametumwa.
feedback-failed = Maoni yako hayakuweza kutumwa: { $reason }.
feedback-empty = Tafadhali andika maoni yako kwanza.
reason-offline = huduma haipatikani
reason-rate-limited = maombi ni mengi mno, tafadhali jaribu tena baada ya muda mfupi
reason-not-found = haikupatikana
reason-server = huduma ilijibu kwa hitilafu { $status }
reason-invalid = huduma ilituma data ambayo wijeti hii haiwezi kusoma

loader-failed = Wijeti ya CASM haikuweza kupakiwa.
loader-view-resource = Tazama rasilimali hii
loader-view-resources = Tazama rasilimali
