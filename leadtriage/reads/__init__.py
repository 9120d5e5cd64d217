"""Read sides for the screens: each feature's questions to the database, asked on a
connection the read side owns (the Store's), answered as values.

The UI imports these, never `leadtriage.store`; the queries themselves stay in
`store/` next to the schema and indexes they depend on. See docs/architecture-ui.md.
"""
