"""Qt widgets, models, dialogs and the worker helper. The only layer that imports Qt widgets."""
