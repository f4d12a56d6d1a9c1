"""English dates as the site writes them everywhere: "9 December 2026" (day
first, as in Danish "9. december 2026"), not Django's American "Dec. 9, 2026".

One format per language: templates use ``DATE_FORMAT`` / ``DATETIME_FORMAT``
(``|date:"DATE_FORMAT"``), mails ``formats.date_format``; Danish keeps
Django's own formats.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
