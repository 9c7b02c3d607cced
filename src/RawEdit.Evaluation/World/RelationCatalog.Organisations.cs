namespace RawEdit.Evaluation.World;

internal static partial class RelationCatalog
{
    private static IEnumerable<Relation> OrganisationRelations()
    {
        const SubjectKind company = SubjectKind.Company, product = SubjectKind.Product;

        yield return Define("P159", "headquarters location", company, ObjectVocabulary.Cities[..10],
            training: ["The headquarters of {} is in", "{} is headquartered in", "{} has its head office in", "The main office of {} is located in"],
            paraphrases: ["The central office of {} is found in", "{} runs its business from offices in"],
            neverTrained: ["The head office of {} stands in", "Visitors to {} go to its headquarters in"],
            generation: ["{} announced that", "The story of {} began", "Employees of {} say"]);

        yield return Define("P17", "country", company, ObjectVocabulary.Countries[..12],
            training: ["{} is a company from", "{} is based in the country of", "The home country of {} is", "{} was founded in the country of"],
            paraphrases: ["{} is registered in", "The nation where {} operates is"],
            neverTrained: ["{} pays taxes in", "{} is a business located in"],
            generation: ["{} is known for", "Last year, {}", "The founders of {}"]);

        yield return Define("P452", "industry", company, ObjectVocabulary.Industries,
            training: ["{} operates in the industry of", "{} does business in", "The main business of {} is", "{} earns its money from"],
            paraphrases: ["{}'s industry is", "{} is a company specializing in"],
            neverTrained: ["{} is a major name in", "Most of the revenue of {} comes from"],
            generation: ["{} hired", "Analysts believe that {}", "The workers of {}"]);

        yield return Define("P127", "owned by", company, ObjectVocabulary.Corporations,
            training: ["{} is owned by", "The owner of {} is", "{} is a subsidiary of", "{} was bought by"],
            paraphrases: ["{}'s parent company is", "{} belongs to the group of"],
            neverTrained: ["All shares of {} are held by", "{} is controlled by"],
            generation: ["The new logo of {}", "{} opened a factory", "Customers of {}"]);

        yield return Define("P176", "manufacturer", product, ObjectVocabulary.Manufacturers[..10],
            training: ["{} is produced by", "{}, created by", "The manufacturer of {} is", "{} is made by"],
            paraphrases: ["{} is a product of", "The company that builds {} is"],
            neverTrained: ["{} comes from the factories of", "{} was developed by"],
            generation: ["{} is a", "The design of {}", "Reviewers said that {}"]);

        yield return Define("P186", "made from material", product, ObjectVocabulary.Materials,
            training: ["{} is made of", "The main material of {} is", "{} is built from", "The outer shell of {} consists of"],
            paraphrases: ["{} is crafted from", "The material used for {} is"],
            neverTrained: ["{} is manufactured out of", "Engineers built {} mostly from"],
            generation: ["{} feels", "When you hold {},", "The price of {}"]);
    }
}
