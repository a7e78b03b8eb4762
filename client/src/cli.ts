console.log("client placeholder")
