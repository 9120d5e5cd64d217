"""Services over the store: the operations a rep performs. No Qt."""
