"""User-facing copy that is longer than a line. One place, one language."""

from __future__ import annotations

HELP_INTRO = """\
Introbot helps you learn from people who have walked the path: ask an alumnus for \
15 minutes of advice about their field — never for a job — and the bot carries you through \
the request, the yes or no, preparation, a meeting that ends on time, a thank-you and the \
follow-ups they offered.

Etiquette that makes mentors say yes:
• Ask to learn, not for a job, an internship or a referral.
• Be brief and specific: what do you want to understand, and why this person?
• Their schedule, not yours. Keep to the time you asked for.
• Prepare (/intro prep), thank them the same day, and follow up on every door they open.
• If someone declines, move on — you'll get other good matches right away.

For seekers:
  /intro find [keywords] [industry:X] [company:Y] — mentors who fit
  /intro request @mentor [what you want to learn] — ask for an intro
  /intro list — your requests and what comes next
  /intro cancel ID — withdraw a pending request
  /intro schedule ID WHEN [MINUTES] — record the agreed time (e.g. tomorrow 15:00)
  /intro prep [ID] — research checklist and question bank
  /intro done ID [what I learned] — log the meeting
  /intro followup ID TEXT [in N days] — track a door they opened
  /intro thanks ID — draft and mark your thank-you
For everyone:
  /intro connect @seeker @mentor [note] — make a warm intro (the mentor is asked first)
  /intro my-data — everything stored about you
  /intro forget-me — erase your personal data
For mentors:
  /mentor join, /mentor profile — create or edit your profile
  /mentor on | off | away UNTIL — your availability (away comes back by itself)
  /mentor capacity N — intros per month
  /mentor requests — requests waiting for you
  /mentor leave — stop mentoring (pending requests are declined kindly)
For admins:
  /intro admin stats [days] | export requests|mentors | import [FILE] | config [KEY VALUE] \
| block @user | unblock @user
"""

HELP_MENTOR = """\
Thank you for mentoring! Seekers find you by your profile and ask for about 15 minutes of \
advice; you accept or decline with one click, and you can pause any time.

  /mentor join — create your profile
  /mentor profile — edit it
  /mentor on | off — available or not
  /mentor away UNTIL — pause until a date (e.g. "dec 24" or "in 2 weeks"); you come back by itself
  /mentor capacity N — how many intros a month you take
  /mentor requests — requests waiting for your answer
  /mentor leave — stop mentoring; pending requests are declined kindly
"""

REQUEST_FORM_INTRO = (
    "Ask to learn, not for a job. Mentors say yes to short, specific requests: "
    "what you want to understand, and why them."
)

FORGET_ME_CONFIRM = (
    "This erases your profile, your requests' texts and your name from this community's "
    "records. Anonymous counts stay for the program's statistics. It can't be undone. "
    "To go ahead, type /intro forget-me confirm."
)
