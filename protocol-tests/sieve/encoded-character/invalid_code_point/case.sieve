require ["encoded-character", "fileinto"];
fileinto "${unicode:D800}";
