"""Operations on the data: one function per user action, one commit each."""
