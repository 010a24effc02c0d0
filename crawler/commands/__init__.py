"""Project commands: `crawl` checks the epaper spider's arguments first; `list-papers` lists profiles."""
