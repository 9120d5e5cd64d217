"""The playbook in the window: the due cadence step with its script in the call
tab, the e-mail draft dialog, bulk actions on a queue selection."""
