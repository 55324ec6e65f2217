### CASM Embed: the widget's texts in English (en).
### English defines the messages: every other file has exactly these ids (the build checks).
### Placeholders: { $name }. Plurals: { $n -> [one] … *[other] … } with CLDR's categories.

kind-online-resource = Online Resource
kind-report = Report
kind-toolkit = Toolkit
kind-presentation = Presentation
kind-photo-set = Photo Set
kind-video = Video
kind-event = Event
loading = Loading…
# Not found (404), or retired by the CASM team (410).
not-found = This resource is not available.
unreachable = The CASM service cannot be reached. Please try again later.
stale = The service cannot be reached: this is a copy saved earlier and may be out of date.
failed = This content could not be loaded: { $reason }.
retry = Try again
empty = No resources found.
page-information = Page Information
popularity = Popularity
rank-value = { $total ->
    [one] #{ $rank } of { $total } item
   *[other] #{ $rank } of { $total } items
}
not-ranked = Not ranked
helpful-votes = Helpful votes
page-views = Page views
pages-emailed = Pages emailed
metacard-views = Meta-card views
attachments-downloaded = Attachments downloaded
relationships-and-highlights = Relationships and highlights
videos-downloaded = Videos downloaded
date-created = Date created
date-modified = Date modified
version-comment = Version comment
no-comment = None
# The partner names, each one isolated (they are in any script), joined by list-separator
# (a quoted literal, so that its spaces are kept).
partners = Partners: { $names }
list-separator = { ", " }
links = Links
vote-prompt = Was this page helpful?
vote = Helpful
vote-done = { $n ->
    [one] Thank you for your vote. This page has { $n } helpful vote.
   *[other] Thank you for your vote. This page has { $n } helpful votes.
}
vote-removed = { $n ->
    [one] Your vote was removed. This page has { $n } helpful vote.
   *[other] Your vote was removed. This page has { $n } helpful votes.
}
vote-failed = Your vote could not be saved: { $reason }.
email-page = Email this page
submit-comments = Submit your comments
feedback-text = Your comments
feedback-contact = Your email or name (optional)
feedback-send = Send
feedback-cancel = Cancel
feedback-sending = Sending…
feedback-sent = Thank you, your comments were sent.
feedback-failed = Your comments could not be sent: { $reason }.
feedback-empty = Please write your comments first.
reason-offline = the service cannot be reached
reason-rate-limited = too many requests, please try again in a moment
reason-not-found = it was not found
reason-server = the service answered with error { $status }
reason-invalid = the service sent something this widget cannot read

## The loader's own messages, shown when the widget itself cannot run.
loader-failed = The CASM widget could not be loaded.
loader-view-resource = View this resource
loader-view-resources = View the resources
