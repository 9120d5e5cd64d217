"""Small helpers with no home in a feature: progress and cancelling, pausing the
cyclic garbage collector during bulk work, work in other processes. Import nothing
from the rest of LeadTriage."""
