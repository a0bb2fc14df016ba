"""The Qt front end.  Shell (window, context, workers, icons, theme) here; one package
per surface: symbols/, pipeline/, backups/, metrics/."""
