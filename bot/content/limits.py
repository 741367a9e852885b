"""Discord and content limits used to validate the knowledge base.

Discord limits come from the Discord API documentation; the content limits
are editorial choices so answers stay readable on a phone.
"""

from __future__ import annotations

import re
from typing import Final

# --- Discord API limits -----------------------------------------------------
EMBED_TITLE: Final = 256
EMBED_DESCRIPTION: Final = 4096
EMBED_FIELD_NAME: Final = 256
EMBED_FIELD_VALUE: Final = 1024
EMBED_FOOTER: Final = 2048
EMBED_AUTHOR_NAME: Final = 256
EMBED_TOTAL: Final = 6000
EMBED_FIELDS_MAX: Final = 25
MESSAGE_CONTENT: Final = 2000
COMMAND_NAME_MAX: Final = 32
COMMAND_NAME_RE: Final = re.compile(r"^[a-z0-9_-]{1,32}$")
COMMAND_DESCRIPTION_MAX: Final = 100
CHOICE_NAME_MAX: Final = 100
SELECT_OPTION_LABEL: Final = 100
SELECT_OPTION_DESCRIPTION: Final = 100
BUTTON_LABEL: Final = 80
EMBEDS_PER_MESSAGE: Final = 10
CUSTOM_ID: Final = 100
SELECT_OPTIONS_MAX: Final = 25
AUTOCOMPLETE_CHOICES_MAX: Final = 25

# --- Content (editorial) limits ---------------------------------------------
SLUG_RE: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TOPIC_DESCRIPTION_MAX: Final = COMMAND_DESCRIPTION_MAX - 1  # 1-99 characters
TOPIC_NAME_MAX: Final = EMBED_TITLE
SUMMARY_MAX: Final = 1500
ANSWER_TARGET: Final = 900  # soft target for phone-friendly answers
ANSWER_MAX: Final = EMBED_DESCRIPTION
GUIDANCE_MAX: Final = 1000
DISCLAIMER_MAX: Final = 200
ABOUT_MAX: Final = 1800
HELP_MAX: Final = 600
NO_ANSWER_MAX: Final = 300
TRIAGE_SEVERITIES: Final = frozenset({"crisis", "emergency", "same-day"})

#: A readable source name shown under answers.
SOURCE_NAME_MAX = 200
REFERENCE_NAME_MAX: Final = 120  # a guidance name shown as a link text on a card
REFERENCE_URL_MAX: Final = 300
