"""The three-way sync: a pure planner, the lock, and the code that applies a plan."""
