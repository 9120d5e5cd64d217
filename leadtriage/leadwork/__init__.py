"""Working a lead: the operations a rep performs on one lead (calls, status moves,
edits, field reps, reminders), each checked and written in one transaction. No Qt."""
