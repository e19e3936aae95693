"""What a running process holds, not what it does: dependencies, caches, batching and pacing."""
