if header :is "subject" text:
Hello
.
{ discard; }
