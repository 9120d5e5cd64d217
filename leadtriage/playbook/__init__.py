"""The rep's playbook: cadences (planned touches over business days), call scripts
with objection answers, and e-mail templates. All of it is data a team can share as
files (JSON or YAML); the Today queue reads the due step from the store. No Qt."""
