"""The lowest shared modules: settings, languages, the easy-to-read check and voice notes.

They import only the domain and third-party libraries, so every layer above may use them."""
