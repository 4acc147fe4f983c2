"""The guided campaign (DESIGN §15): plan, cards, journal, drop folder, judging, reports."""
