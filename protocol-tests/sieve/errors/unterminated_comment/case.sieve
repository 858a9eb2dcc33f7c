keep;
/* open
