require ["imap4flags", "fileinto"];
fileinto :flags ["\\Flagged", "work"] "Lists";
